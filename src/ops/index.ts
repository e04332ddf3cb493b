// Index primitives: gather (numpy take), its adjoint scatter_add, iota, and counter-based random.
import * as B from '../builder/ops.ts';
import { GraphError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { size } from '../ir/shape.ts';
import * as E from '../schedule/expr.ts';
import type { OpDef } from './def.ts';
import { randomNormal, randomUniform } from './random.ts';

/** Sizes of the axes before `axis`, the indexed axis, and after it. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  return [size(shape.slice(0, axis)), shape[axis] ?? 1, size(shape.slice(axis + 1))];
}

function checkIndex(v: number, n: number, node: Node): number {
  if (!(Number.isInteger(v) && v >= 0 && v < n)) {
    throw new GraphError(
      'input',
      `${node.op}: index ${v} is out of range [0, ${n})`,
      node.meta.site,
    );
  }
  return v;
}

export const gather: OpDef<'gather'> = {
  arity: 2,
  infer: ([x, i], a) => {
    if (i!.dtype !== 'i32') return `dtype ${i!.dtype}: indices must be i32`;
    if (a.axis < 0 || a.axis >= x!.rank) return `axis ${a.axis} out of range`;
    const shape = [...x!.shape.slice(0, a.axis), ...i!.shape, ...x!.shape.slice(a.axis + 1)];
    return { shape, dtype: x!.dtype };
  },
  eval: ([x, idx], a, node) => {
    const [pre, n, post] = split(node.inputs[0]!.shape, a.axis);
    const out = new Float64Array(node.size);
    const m = idx!.length;
    for (let p = 0; p < pre; p++) {
      for (let j = 0; j < m; j++) {
        const src = checkIndex(idx![j]!, n, node);
        for (let q = 0; q < post; q++) out[(p * m + j) * post + q] = x![(p * n + src) * post + q]!;
      }
    }
    return out;
  },
  vjp: [
    {
      rule: (g, _y, [x, i], a) => B.scatterAdd(g, i!, a.axis, x!.shape[a.axis]!),
      step: '∂L/∂{0} = ∂L/∂{out} scatter-added at the indices {1}',
    },
    { rule: () => null, step: '' },
  ],
  lower: {
    kind: 'expr',
    expr: (c, a) => {
      const [x, i] = c.node.inputs;
      const ir = i!.rank;
      const at = c.input(1, c.idx.slice(a.axis, a.axis + ir));
      const n = x!.shape[a.axis]!;
      // Clamp: out-of-range indices are rejected on the host; kernels must never read outside.
      const safe = E.bin('min', E.bin('max', at, E.int(0)), E.int(n - 1));
      return c.input(0, [...c.idx.slice(0, a.axis), safe, ...c.idx.slice(a.axis + ir)]);
    },
  },
  facts: { cost: 0, view: true, reindex: true },
};

export const scatterAdd: OpDef<'scatter_add'> = {
  arity: 2,
  infer: ([u, i], a) => {
    if (i!.dtype !== 'i32') return `dtype ${i!.dtype}: indices must be i32`;
    const ir = i!.rank;
    if (u!.shape.slice(a.axis, a.axis + ir).some((d, k) => d !== i!.shape[k])) {
      return `updates do not match the index shape at axis ${a.axis}`;
    }
    const shape = [...u!.shape.slice(0, a.axis), a.size, ...u!.shape.slice(a.axis + ir)];
    return { shape, dtype: u!.dtype };
  },
  eval: ([u, idx], a, node) => {
    const [pre, , post] = split(node.shape, a.axis);
    const out = new Float64Array(node.size);
    const m = idx!.length;
    for (let p = 0; p < pre; p++) {
      for (let j = 0; j < m; j++) {
        const dst = checkIndex(idx![j]!, a.size, node);
        for (let q = 0; q < post; q++)
          out[(p * a.size + dst) * post + q] += u![(p * m + j) * post + q]!;
      }
    }
    return out;
  },
  vjp: [
    {
      rule: (g, _y, [, i], a) => B.gather(g, i!, a.axis),
      step: '∂L/∂{0} = ∂L/∂{out} gathered at the indices {1}',
    },
    { rule: () => null, step: '' },
  ],
  lower: { kind: 'scatter' },
};

export const iota: OpDef<'iota'> = {
  arity: 0,
  infer: (_ins, a) =>
    a.axis >= 0 && a.axis < a.shape.length
      ? { shape: a.shape, dtype: a.dtype }
      : `axis ${a.axis} out of range`,
  eval: (_ins, a) => {
    const [, n, post] = split(a.shape, a.axis);
    const out = new Float64Array(size(a.shape));
    for (let f = 0; f < out.length; f++) out[f] = Math.floor(f / post) % n;
    return out;
  },
  vjp: null,
  lower: { kind: 'expr', expr: (c, a) => E.cast(c.idx[a.axis]!, a.dtype) },
  facts: { cost: 0, literal: true, finite: () => true, quietName: true },
};

export const random: OpDef<'random'> = {
  arity: -1,
  infer: (ins, a) => {
    if (ins.length > 1) return 'random takes at most one input (an i32 scalar counter)';
    const ctr = ins[0];
    if (ctr && (ctr.rank !== 0 || ctr.dtype !== 'i32')) return 'the counter must be an i32 scalar';
    return { shape: a.shape, dtype: 'f32' };
  },
  eval: (ins, a) => {
    const counter = ins[0]?.[0] ?? 0;
    const draw = a.dist === 'normal' ? randomNormal : randomUniform;
    const out = new Float64Array(size(a.shape));
    for (let i = 0; i < out.length; i++) out[i] = draw(a.seed, counter, i);
    return out;
  },
  vjp: null,
  lower: {
    kind: 'expr',
    expr: (c, a) => ({
      k: 'rand',
      dist: a.dist,
      seed: a.seed,
      counter: c.node.inputs.length ? c.input(0, []) : E.int(0),
      at: E.flatIndex(c.idx, a.shape),
      t: 'f32',
    }),
  },
  facts: { cost: 4, noFold: true, finite: () => true },
};
