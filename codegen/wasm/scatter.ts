// The scatter kernel (scatter_add: an embedding's backward, rows of updates added at their
// indices) in wasm: the output zeroed by memory.fill, then each update row of `post` floats added
// into its target row four lanes at a time. float32 adds, as the TS kernel's `+=` on a
// Float32Array rounds each one (bit-identical results), in the same order; i32 updates add in i32.
import type { ScatterKernel } from '../../src/schedule/kinds/scatter.ts';
import { FuncBuilder, MISC, OP, SIMD } from './encoder.ts';
import type { BufferPlace } from './expr.ts';

export function renderScatter(k: ScatterKernel, place: (buf: string) => BufferPlace): FuncBuilder {
  const f = new FuncBuilder([]);
  const [out, upd, ix] = [place(k.out), place(k.updates), place(k.indices)];
  const int = k.dtype === 'i32'; // i32 adds wrap, as the TS kernel's Int32Array stores do
  const i32 = () => f.local('i32');
  const [p, j, q, dst, src] = [i32(), i32(), i32(), i32(), i32()];
  f.i32(out.at)
    .i32(0)
    .i32(4 * k.pre * k.size * k.post)
    .misc(MISC.memory_fill, 0);
  const body = Math.floor(k.post / 4) * 4;
  f.forRange(p, 0, k.pre, 1, () => {
    f.forRange(j, 0, k.count, 1, () => {
      // target row min(max(index[j], 0), size − 1), as the TS kernel clamps it
      f.get(j)
        .i32(2)
        .op(OP.i32_shl)
        .mem(OP.i32_load, ix.at)
        .clampIndex(k.size - 1);
      f.get(p).i32(k.size).op(OP.i32_mul).op(OP.i32_add);
      f.i32(4 * k.post)
        .op(OP.i32_mul)
        .set(dst);
      f.get(p).i32(k.count).op(OP.i32_mul).get(j).op(OP.i32_add);
      f.i32(4 * k.post)
        .op(OP.i32_mul)
        .set(src);
      const at = (base: number) => f.get(base).get(q).i32(2).op(OP.i32_shl).op(OP.i32_add);
      f.forRange(q, 0, body, 4, () => {
        at(dst);
        at(dst).v128Load(out.at);
        at(src).v128Load(upd.at);
        f.simd(int ? SIMD.i32x4_add : SIMD.f32x4_add).v128Store(out.at);
      });
      f.forRange(q, body, k.post, 1, () => {
        at(dst);
        at(dst).mem(int ? OP.i32_load : OP.f32_load, out.at);
        at(src).mem(int ? OP.i32_load : OP.f32_load, upd.at);
        f.op(int ? OP.i32_add : OP.f32_add).mem(int ? OP.i32_store : OP.f32_store, out.at);
      });
    });
  });
  return f;
}
