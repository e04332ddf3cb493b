// Movement primitives: reshape, permute, broadcast, slice, pad, concat. All are views in kernels:
// lowering maps an output multi-index to an input multi-index, never copying a buffer.
import * as B from '../builder/ops.ts';
import type { Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import { canBroadcastTo, size, strides, unravel } from '../ir/shape.ts';
import * as E from '../schedule/expr.ts';
import type { OpDef } from './def.ts';

/** Evaluate a view: for each output element, `src` gives the input flat index or -1 (fill). */
function gatherView(
  x: Float64Array,
  out: Shape,
  inShape: Shape,
  src: (o: readonly number[], i: number[]) => boolean,
  fill = 0,
): Float64Array {
  const res = new Float64Array(size(out));
  const oi = new Array<number>(out.length).fill(0);
  const ii = new Array<number>(inShape.length).fill(0);
  const st = strides(inShape);
  for (let f = 0; f < res.length; f++) {
    unravel(f, out, oi);
    if (!src(oi, ii)) {
      res[f] = fill;
      continue;
    }
    let k = 0;
    for (let d = 0; d < ii.length; d++) k += ii[d]! * st[d]!;
    res[f] = x[k]!;
  }
  return res;
}

const inShapeOf = (node: Node, i = 0): Shape => node.inputs[i]!.shape;

/** reshape, permute, broadcast: the same values in a new layout. */
const RELAYOUT = {
  cost: 0,
  view: true,
  reindex: true,
  layout: true,
  uniform: 'first',
  quietName: true,
} as const;

export const reshape: OpDef<'reshape'> = {
  arity: 1,
  infer: ([x], a) =>
    a.shape.every((d) => Number.isInteger(d) && d >= 0) && size(a.shape) === x!.size
      ? { shape: a.shape, dtype: x!.dtype }
      : `cannot reshape ${x!.size} elements to [${a.shape}]`,
  eval: ([x]) => x!.slice(),
  vjp: [{ rule: (g, _y, [x]) => B.reshape(g, x!.shape), step: '∂L/∂{0} = reshape(∂L/∂{out})' }],
  facts: RELAYOUT,
  lower: {
    kind: 'expr',
    expr: (c, a) => c.input(0, E.unflatIndex(E.flatIndex(c.idx, a.shape), inShapeOf(c.node))),
  },
};

function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export const permute: OpDef<'permute'> = {
  arity: 1,
  infer: ([x], a) => {
    const ok =
      a.perm.length === x!.rank && [...a.perm].sort((p, q) => p - q).every((p, i) => p === i);
    return ok
      ? { shape: a.perm.map((p) => x!.shape[p]!), dtype: x!.dtype }
      : `bad permutation [${a.perm}]`;
  },
  eval: ([x], a, node) =>
    gatherView(x!, node.shape, inShapeOf(node), (o, i) => {
      a.perm.forEach((p, d) => (i[p] = o[d]!));
      return true;
    }),
  vjp: [
    {
      rule: (g, _y, _x, a) => B.permute(g, inversePerm(a.perm)),
      step: '∂L/∂{0} = transpose(∂L/∂{out})',
    },
  ],
  facts: RELAYOUT,
  lower: {
    kind: 'expr',
    expr: (c, a) => {
      const idx = new Array<E.Expr>(a.perm.length);
      a.perm.forEach((p, d) => (idx[p] = c.idx[d]!));
      return c.input(0, idx);
    },
  },
};

/** Input multi-index of a broadcast: leading axes dropped, size-1 axes pinned to 0. */
function broadcastIndex<T>(out: readonly T[], inShape: Shape, zero: T): T[] {
  const off = out.length - inShape.length;
  return inShape.map((d, i) => (d === 1 ? zero : out[i + off]!));
}

/** Axes of `to` that a broadcast from `from` expanded (the axes its VJP sums over). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const off = to.length - from.length;
  return to.map((_, i) => i).filter((i) => i < off || (from[i - off] === 1 && to[i] !== 1));
}

export const broadcast: OpDef<'broadcast'> = {
  arity: 1,
  infer: ([x], a) =>
    canBroadcastTo(x!.shape, a.shape)
      ? { shape: a.shape, dtype: x!.dtype }
      : `cannot broadcast [${x!.shape}] to [${a.shape}]`,
  eval: ([x], _a, node) =>
    gatherView(x!, node.shape, inShapeOf(node), (o, i) => {
      broadcastIndex(o, inShapeOf(node), 0).forEach((v, d) => (i[d] = v));
      return true;
    }),
  vjp: [
    {
      rule: (g, y, [x]) => B.reshape(B.sum(g, broadcastAxes(x!.shape, y.shape)), x!.shape),
      step: '∂L/∂{0} = ∂L/∂{out} summed over the broadcast axes',
    },
  ],
  facts: RELAYOUT,
  lower: {
    kind: 'expr',
    expr: (c) => c.input(0, broadcastIndex(c.idx, inShapeOf(c.node), E.int(0))),
  },
};

export const slice: OpDef<'slice'> = {
  arity: 1,
  infer: ([x], a) => {
    const shape: number[] = [];
    for (let d = 0; d < x!.rank; d++) {
      const [s, e, st] = [a.starts[d]!, a.stops[d]!, a.steps[d]!];
      if (!(st >= 1 && s >= 0 && e <= x!.shape[d]! && s <= e)) {
        return `bad slice ${s}:${e}:${st} on axis ${d} of length ${x!.shape[d]}`;
      }
      shape.push(Math.ceil((e - s) / st));
    }
    return { shape, dtype: x!.dtype };
  },
  eval: ([x], a, node) =>
    gatherView(x!, node.shape, inShapeOf(node), (o, i) => {
      o.forEach((v, d) => (i[d] = a.starts[d]! + v * a.steps[d]!));
      return true;
    }),
  vjp: [
    {
      rule: (g, y, [x], a) => {
        const widths = x!.shape.map((n, d): [number, number] => {
          const last = a.starts[d]! + (y.shape[d]! - 1) * a.steps[d]!;
          return [a.starts[d]!, n - last - 1];
        });
        return B.pad(
          g,
          widths,
          0,
          a.steps.map((s) => s - 1),
        );
      },
      step: '∂L/∂{0} = ∂L/∂{out} placed back into zeros (pad)',
    },
  ],
  facts: { cost: 0, view: true, reindex: true, uniform: 'first' },
  lower: {
    kind: 'expr',
    expr: (c, a) =>
      c.input(
        0,
        c.idx.map((v, d) => E.iadd(E.int(a.starts[d]!), E.imul(v, E.int(a.steps[d]!)))),
      ),
  },
};

export const pad: OpDef<'pad'> = {
  arity: 1,
  infer: ([x], a) => {
    if ([...a.lo, ...a.hi, ...a.interior].some((v) => !Number.isInteger(v) || v < 0)) {
      return 'pad widths must be non-negative integers';
    }
    const shape = x!.shape.map(
      (n, d) => a.lo[d]! + a.hi[d]! + n + Math.max(0, n - 1) * a.interior[d]!,
    );
    return { shape, dtype: x!.dtype };
  },
  eval: ([x], a, node) =>
    gatherView(
      x!,
      node.shape,
      inShapeOf(node),
      (o, i) =>
        o.every((v, d) => {
          const t = v - a.lo[d]!;
          const step = a.interior[d]! + 1;
          i[d] = t / step;
          return t >= 0 && t % step === 0 && t / step < inShapeOf(node)[d]!;
        }),
      a.value,
    ),
  vjp: [
    {
      rule: (g, _y, [x], a) =>
        B.slice(
          g,
          x!.shape.map((n, d) => [
            a.lo[d]!,
            a.lo[d]! + (n - 1) * (a.interior[d]! + 1) + 1,
            a.interior[d]! + 1,
          ]),
        ),
      step: '∂L/∂{0} = ∂L/∂{out} with the padding cut away (slice)',
    },
  ],
  facts: { cost: 0, view: true, reindex: true },
  lower: {
    kind: 'expr',
    expr: (c, a) => {
      const inShape = inShapeOf(c.node);
      let inside: E.Expr | null = null;
      const idx = c.idx.map((v, d) => {
        const step = a.interior[d]! + 1;
        const t = E.iadd(v, E.int(-a.lo[d]!));
        const extent = (inShape[d]! - 1) * step + 1;
        if (a.lo[d] === 0 && a.hi[d] === 0 && step === 1) return t;
        let ok = E.bin('and', E.bin('ge', t, E.int(0)), E.bin('lt', t, E.int(extent)));
        if (step > 1) ok = E.bin('and', ok, E.bin('eq', E.imod(t, step), E.int(0)));
        inside = inside ? E.bin('and', inside, ok) : ok;
        // Clamp so that a backend which evaluates both arms never reads out of bounds.
        return E.bin('min', E.bin('max', E.idiv(t, step), E.int(0)), E.int(inShape[d]! - 1));
      });
      const value = c.input(0, idx);
      return inside ? E.sel(inside, value, E.num(a.value, value.t)) : value;
    },
  },
};

export const concat: OpDef<'concat'> = {
  arity: -1,
  infer: (ins, a) => {
    const first = ins[0]!;
    if (a.axis < 0 || a.axis >= first.rank) return `axis ${a.axis} out of range`;
    for (const x of ins) {
      if (x.rank !== first.rank || x.shape.some((d, i) => i !== a.axis && d !== first.shape[i])) {
        return `shapes differ off axis ${a.axis}`;
      }
      if (x.dtype !== first.dtype) return `dtype mismatch: ${x.dtype} vs ${first.dtype}`;
    }
    const shape = [...first.shape];
    shape[a.axis] = ins.reduce((s, x) => s + x.shape[a.axis]!, 0);
    return { shape, dtype: first.dtype };
  },
  eval: (ins, a, node) => {
    const out = new Float64Array(node.size);
    const outer = node.shape.slice(0, a.axis).reduce((p, d) => p * d, 1);
    const inner = node.shape.slice(a.axis + 1).reduce((p, d) => p * d, 1);
    let off = 0;
    ins.forEach((x, k) => {
      const n = node.inputs[k]!.shape[a.axis]! * inner;
      for (let o = 0; o < outer; o++)
        out.set(x.subarray(o * n, (o + 1) * n), o * node.shape[a.axis]! * inner + off);
      off += n;
    });
    return out;
  },
  // One rule serves every input: input i's slice starts after the inputs before it.
  vjp: [
    {
      rule: (g, _y, ins, a, i) => {
        const off = ins.slice(0, i).reduce((s, x) => s + x.shape[a.axis]!, 0);
        const x = ins[i]!;
        const n = x.shape[a.axis]!;
        return B.slice(
          g,
          x.shape.map((d, k) => (k === a.axis ? [off, off + n] : [0, d])),
        );
      },
      step: '∂L/∂{i} = the matching slice of ∂L/∂{out}',
    },
  ],
  facts: { cost: 0, view: true, reindex: true },
  lower: {
    kind: 'expr',
    expr: (c, a) => {
      const parts = c.node.inputs;
      let off = parts.reduce((s, x) => s + x.shape[a.axis]!, 0);
      let acc: E.Expr | null = null;
      for (let k = parts.length - 1; k >= 0; k--) {
        const n = parts[k]!.shape[a.axis]!;
        off -= n;
        const local = E.iadd(c.idx[a.axis]!, E.int(-off));
        // Clamp so that a backend which evaluates both arms never reads out of bounds.
        const clamped = E.bin('min', E.bin('max', local, E.int(0)), E.int(n - 1));
        const value = c.input(
          k,
          c.idx.map((v, d) => (d === a.axis ? clamped : v)),
        );
        acc = acc ? E.sel(E.bin('lt', c.idx[a.axis]!, E.int(off + n)), value, acc) : value;
      }
      return acc!;
    },
  },
};
