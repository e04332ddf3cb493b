// The scatter kernel (scatter_add): zero the output, then add each update row at its index along
// one axis. It reads plain buffers, so fusion never inlines a producer into it.
import { isOp } from '../../ops/dispatch.ts';
import type { KernelBase, KindDef } from './kind.ts';

/** The op table's fact for a scatter op. */
export interface ScatterFact {
  readonly kind: 'scatter';
}

/** out = 0; for (p, j, q): out[p, index[j], q] += updates[p, j, q]. */
export interface ScatterKernel extends KernelBase {
  readonly kind: 'scatter';
  readonly out: string;
  readonly updates: string;
  readonly indices: string;
  readonly pre: number;
  readonly count: number;
  readonly post: number;
  readonly size: number;
  /** f32 sums round in float32; i32 ones wrap modulo 2³². */
  readonly dtype: 'f32' | 'i32';
}

export const scatter: KindDef<ScatterKernel> = {
  lower: ({ node: n, bufOf }) => {
    const [u, i] = n.inputs as [typeof n, typeof n];
    if (!isOp(n, 'scatter_add')) throw new Error(`internal: ${n.op} is not scatter_add`);
    const { axis, size } = n.attrs;
    const pre = n.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const post = n.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const [out, updates, indices] = [bufOf(n), bufOf(u), bufOf(i)];
    const dtype = n.dtype === 'i32' ? 'i32' : 'f32';
    return { kind: 'scatter', out, updates, indices, pre, count: i.size, post, size, dtype };
  },
  exprs: () => [],
  operands: (k) => [k.updates, k.indices],
  writes: (k) => [k.out],
  work: (k) => k.pre * k.count * k.post,
  shape: (k) => `[${k.pre},${k.count},${k.post}] into ${k.size}`,
  plainInputs: true,
};
