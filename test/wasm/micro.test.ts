// The matmul micro-kernel alone, against a float64 reference: every K count around the unrolled
// loop's exits (kc mod unroll = 0…unroll−1, and kc below one iteration), starting from zero and
// accumulating onto C, with C's rows at a stride wider than the tile, for each loop shape.
import { describe, expect, it } from 'vitest';
import { FuncBuilder, ModuleBuilder } from '../../codegen/wasm/encoder.ts';
import { MICRO_PARAMS, MICRO_SHAPE, MR, NR, renderMicroKernel } from '../../codegen/wasm/micro.ts';
import type { MicroShape } from '../../codegen/wasm/micro.ts';

type Micro = (aP: number, bP: number, cP: number, kc: number, ldc: number, load: number) => void;

function instantiate(shape: MicroShape): { micro: Micro; heap: Float32Array } {
  const mod = new ModuleBuilder(1);
  const inner = mod.func(null, { params: MICRO_PARAMS, results: [] }, renderMicroKernel(shape));
  // An exported wrapper: the micro-kernel itself is internal in generated modules.
  const call = new FuncBuilder(MICRO_PARAMS);
  MICRO_PARAMS.forEach((_, i) => call.get(i));
  call.call(inner);
  mod.func('micro', { params: MICRO_PARAMS, results: [] }, call);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mod.encode()), { env: { memory } });
  return { micro: inst.exports['micro'] as Micro, heap: new Float32Array(memory.buffer) };
}

/** Deterministic values with few exact products, so a wrong term shows. */
const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 1.5);

describe('matmul micro-kernel', () => {
  for (const unroll of [1, 2, MICRO_SHAPE.unroll]) {
    it(`unroll ${unroll}: C (+)= A·B for kc = 1…${2 * unroll + 3}, from zero and onto C`, () => {
      const { micro, heap } = instantiate({ unroll });
      const [aAt, bAt, cAt, ldc] = [64, 1024, 4096, 4 * (NR + 5)]; // float indices; ldc in floats
      for (let kc = 1; kc <= 2 * unroll + 3; kc++) {
        for (const load of [0, 1]) {
          for (let i = 0; i < kc * MR; i++) heap[aAt + i] = value(i + kc);
          for (let i = 0; i < kc * NR; i++) heap[bAt + i] = value(1000 + i - kc);
          for (let i = 0; i < MR * ldc; i++) heap[cAt + i] = load ? value(2000 + i) : 7;
          const before = heap.slice(cAt, cAt + MR * ldc);
          micro(4 * aAt, 4 * bAt, 4 * cAt, kc, 4 * ldc, load);
          for (let r = 0; r < MR; r++) {
            for (let c = 0; c < ldc; c++) {
              const got = heap[cAt + r * ldc + c]!;
              if (c >= NR) {
                expect(got).toBe(before[r * ldc + c]); // outside the tile: untouched
                continue;
              }
              let want = load ? before[r * ldc + c]! : 0;
              for (let p = 0; p < kc; p++)
                want += heap[aAt + p * MR + r]! * heap[bAt + p * NR + c]!;
              expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
            }
          }
        }
      }
    });
  }
});
