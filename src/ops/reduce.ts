// Reductions over a set of axes (keepdims is a reshape in the builder, not an attribute), and the
// running sum along one axis (cumsum: a scan, O(n) per row).
import * as B from '../builder/ops.ts';
import type { Node } from '../ir/node.ts';
import { normAxes, strides, unravel } from '../ir/shape.ts';
import type { OpDef, Inferred } from './def.ts';

function inferReduce(x: Node, axes: readonly number[]): Inferred {
  const norm = normAxes(axes, x.rank);
  if (!norm || norm.length !== axes.length || norm.some((a, i) => a !== axes[i])) {
    return `axes [${axes}] must be sorted, distinct and within rank ${x.rank}`;
  }
  if (x.dtype === 'bool') return 'dtype bool cannot be reduced (cast it first)';
  return { shape: x.shape.filter((_, i) => !axes.includes(i)), dtype: x.dtype };
}

/** Fold `x` over `axes` with `f`, starting each output from `init`. */
function evalReduce(
  x: Float64Array,
  node: Node,
  axes: readonly number[],
  init: number,
  f: (acc: number, v: number) => number,
): Float64Array {
  const inShape = node.inputs[0]!.shape;
  const outStrides = strides(node.shape);
  const out = new Float64Array(node.size).fill(init);
  const idx = new Array<number>(inShape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    unravel(i, inShape, idx);
    let o = 0;
    let k = 0;
    for (let d = 0; d < inShape.length; d++) {
      if (axes.includes(d)) continue;
      o += idx[d]! * outStrides[k++]!;
    }
    out[o] = f(out[o]!, x[i]!);
  }
  return out;
}

const addI32 = (acc: number, v: number) => (acc + v) | 0;

/** Reshape a reduced value back to the input's rank (size-1 reduced axes), then broadcast. */
export function expandReduced(v: Node, x: Node, axes: readonly number[]): Node {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return B.broadcastTo(B.reshape(v, kept), x.shape);
}

export const sum: OpDef<'sum'> = {
  arity: 1,
  infer: ([x], a) => inferReduce(x!, a.axes),
  // An i32 sum wraps at every step: exact past 2⁵³, where float64 sums of int32 would round.
  eval: ([x], a, node) =>
    evalReduce(x!, node, a.axes, 0, node.dtype === 'i32' ? addI32 : (acc, v) => acc + v),
  vjp: [
    {
      rule: (g, _y, [x], a) => expandReduced(g, x!, a.axes),
      step: '∂L/∂{0} = broadcast(∂L/∂{out})',
    },
  ],
  lower: { kind: 'reduce', acc: 'sum', axes: (a) => a.axes },
  // A uniform v summed over `count` elements is v·count.
  facts: { uniform: ([v], count) => v! * count },
};

export const max: OpDef<'max'> = {
  arity: 1,
  infer: ([x], a) => inferReduce(x!, a.axes),
  eval: ([x], a, node) => evalReduce(x!, node, a.axes, -Infinity, Math.max),
  vjp: [
    {
      // Ties share the gradient equally, so the rule is a true (sub)gradient everywhere.
      rule: (g, y, [x], a) => {
        const mask = B.cast(B.eq(x!, expandReduced(y, x!, a.axes)), 'f32');
        const count = expandReduced(B.sum(mask, a.axes), x!, a.axes);
        return B.div(B.mul(mask, expandReduced(g, x!, a.axes)), count);
      },
      step: '∂L/∂{0} = ∂L/∂{out} at the arg-max ({0} = max), shared among ties',
    },
  ],
  lower: { kind: 'reduce', acc: 'max', axes: (a) => a.axes },
  facts: { uniform: ([v], count) => (count > 0 ? v! : null) },
};

export const cumsum: OpDef<'cumsum'> = {
  arity: 1,
  infer: ([x], a) => {
    if (!Number.isInteger(a.axis) || a.axis < 0 || a.axis >= x!.rank) {
      return `axis ${a.axis} out of range for rank ${x!.rank}`;
    }
    // The dtypes sum takes (f32, i32): an i32 scan adds in i32 on every target.
    if (x!.dtype === 'bool') return 'dtype bool cannot be summed (cast it first)';
    return { shape: x!.shape, dtype: x!.dtype };
  },
  eval: ([x], a, node) => {
    const n = node.shape[a.axis]!;
    const post = strides(node.shape)[a.axis]!;
    const out = new Float64Array(node.size);
    // Row by row: (pre, post) picks a row, t walks it forwards or backwards.
    for (let base = 0; base < out.length; base += n * post) {
      for (let q = 0; q < post; q++) {
        let acc = 0;
        for (let s = 0; s < n; s++) {
          const at = base + (a.reverse ? n - 1 - s : s) * post + q;
          acc = node.dtype === 'i32' ? addI32(acc, x![at]!) : acc + x![at]!;
          out[at] = acc;
        }
      }
    }
    return out;
  },
  vjp: [
    {
      // Each x_t feeds every output from t on (up to t, reversed): the adjoint sums the other way.
      rule: (g, _y, _x, a) => B.cumsum(g, a.axis, !a.reverse),
      step: '∂L/∂{0} = cumsum of ∂L/∂{out} in the other direction',
    },
  ],
  lower: { kind: 'scan', acc: 'sum', axis: (a) => a.axis, reverse: (a) => a.reverse },
};
