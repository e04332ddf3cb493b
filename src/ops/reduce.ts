// Reductions over a set of axes (keepdims is a reshape in the builder, not an attribute).
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

/** Reshape a reduced value back to the input's rank (size-1 reduced axes), then broadcast. */
export function expandReduced(v: Node, x: Node, axes: readonly number[]): Node {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return B.broadcastTo(B.reshape(v, kept), x.shape);
}

export const sum: OpDef<'sum'> = {
  arity: 1,
  infer: ([x], a) => inferReduce(x!, a.axes),
  eval: ([x], a, node) => evalReduce(x!, node, a.axes, 0, (acc, v) => acc + v),
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
