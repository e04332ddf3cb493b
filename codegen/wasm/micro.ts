// The matmul micro-kernel: one wasm function, shared by every matmul kernel of a module, that
// multiplies a packed MR-row strip of A by a packed NR-column panel of B into an MR×NR block of
// C held in f32x4 registers. Sharing it means V8 tiers it up (Liftoff → TurboFan) during the
// first matmul instead of after it, and compiles it once.
import { FuncBuilder, OP, SIMD } from './encoder.ts';

/**
 * The register tile, 4 rows × 8 columns (two f32x4 per row): 8 accumulators + 2 B vectors + 4 A
 * splats + 1 product fill the 15 SIMD registers TurboFan allocates on x64 (xmm15 is its
 * scratch). Without fused multiply-add (relaxed SIMD needs a flag in Node 20), a product takes a
 * register. 5×8 and 3×12, kept from spilling by splitting the rows into basic blocks, ran within
 * 3% of 4×8 and 2×16 slower (alone on L1-resident panels, CPU time against bench/wasm-peak.ts,
 * 2-core AMD EPYC, V8 11.3); tiles of 5 or 12 rows or columns would cost W3's 1024 the direct
 * output. Per K step the kernel issues 24 instructions (2 B loads, 4 splat loads, 16 f32x4
 * operations, a pointer step and a fused compare-and-branch) for 16 f32x4 operations, the
 * arithmetic taking 4 cycles on this core's four FP pipes; the front end, which takes about 6
 * per cycle, is as tight as the pipes, so every instruction outside the arithmetic costs speed.
 * Re-measured with this 24-instruction step (alone, A streamed from L2, kc 512, paired medians of
 * 30 interleaved CPU-timed runs, load 9–10): 4×8 at 0.87–0.89 of the peak; 2×16, the same 24
 * instructions, 1.00–1.02×; 5×8 unsplit 0.80–0.83× (TurboFan issues a block's five splat loads
 * before its arithmetic: 18 registers, so it spills accumulators); B re-loaded per use 0.54–0.58×
 * (4×8) and 0.44–0.46× (6×8): TurboFan folds no load into `vmulps` and hoists the copies into
 * registers; A packed pre-splatted (plain loads at folded offsets, no per-step pointer step)
 * 0.98–1.00×.
 */
export const MR = 4;
export const NR = 8;

/**
 * How the k loop is shaped. Unrolled 4 was the fastest of 1, 2, 4 and 8, by a little: the kernel
 * alone (A strips streamed from L2, kc 512) ran 1.02–1.07× the previous one-step loop's speed,
 * 68–70% of the wasm-SIMD peak, in five interleaved runs (CPU time, a loaded 2-core machine).
 * With the 24-instruction step, unrolled 8 ran 1.02× alone and 1.00–1.01× in W3 (quartiles ±5%).
 */
export interface MicroShape {
  /** K steps per loop iteration. */
  readonly unroll: number;
}

export const MICRO_SHAPE: MicroShape = { unroll: 4 };

/** The micro-kernel's parameters, in order. */
export const MICRO_PARAMS = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const;

/**
 * micro(aP, bP, cP, kc, ldc, load): C[r, c] (+)= Σ_p A[r, p]·B[p, c] for the packed strip at byte
 * address aP (MR floats per p) and panel at bP (NR floats per p), p < kc (≥ 1); row r of C starts
 * at cP + r·ldc (bytes). load = 0 starts from zero (the first K block), else from C.
 *
 * What TurboFan (V8 11.3, x64) makes of the loop decides the speed, so its shape is deliberate:
 * - K is unrolled `unroll` times with an exit after each step (`kc` need not be a multiple).
 *   The exits matter beyond odd counts: TurboFan issues every load of a basic block before its
 *   arithmetic, so one block of two steps needs twice the registers and spills; the exit, whose
 *   target stores the accumulators, makes each step's arithmetic finish inside its own block.
 *   Step q exits when kc = q + 1 and only the iteration's end counts kc down (by `unroll`): one
 *   fused compare-and-branch per step, not a decrement as well.
 * - The strip pointer advances every step and its four splat loads keep the offsets 0, 4, 8 and
 *   12: TurboFan folds no memarg offset into a splat load (`vbroadcastss` takes base + index
 *   only), so it adds each distinct offset to the memory base in a register; four of them stay
 *   hoisted, while the sixteen of a 4-step iteration cost an extra `lea` per load. The panel
 *   pointer advances once per iteration (plain v128 loads do fold their offset).
 *   Together these two took the kernel from 83% to 90% of the peak alone (L1-resident panels)
 *   and W3 by 1.07–1.13× (interleaved in one process, each run paired with the peak).
 * - Both pointers are advanced from values computed by i32 arithmetic, so V8 knows their upper
 *   32 bits are zero and addresses them directly; a parameter used as an address is
 *   zero-extended (one `movl`) on every use.
 */
export function renderMicroKernel(shape: MicroShape = MICRO_SHAPE): FuncBuilder {
  const f = new FuncBuilder(MICRO_PARAMS);
  const [aP, bP, cP, kc, ldc, load] = [0, 1, 2, 3, 4, 5];
  const H = NR / 4;
  const U = shape.unroll;
  const acc = Array.from({ length: MR * H }, () => f.local('v128'));
  const b = Array.from({ length: H }, () => f.local('v128'));
  const a = f.local('v128');
  const row = Array.from({ length: MR }, () => f.local('i32'));
  const at = (n: number) => [row[Math.floor(n / H)]!, 16 * (n % H)] as const;
  row.forEach((r, i) => {
    f.get(cP);
    if (i > 0) f.get(ldc).i32(i).op(OP.i32_mul).op(OP.i32_add);
    f.set(r);
  });
  f.get(load);
  f.ifElse(
    () => acc.forEach((x, n) => f.get(at(n)[0]).v128Load(at(n)[1]).set(x)),
    () => acc.forEach((x) => f.simd(SIMD.v128_const, ...new Array<number>(16).fill(0)).set(x)),
  );
  const [aStep, bStep] = [4 * MR, 4 * NR];
  // One step (A) and one iteration (B) back, so that the top of the loop lands on the first step.
  f.get(aP).i32(aStep).op(OP.i32_sub).set(aP);
  f.get(bP)
    .i32(U * bStep)
    .op(OP.i32_sub)
    .set(bP);
  f.op(OP.block, 0x40);
  f.op(OP.loop, 0x40);
  f.get(bP)
    .i32(U * bStep)
    .op(OP.i32_add)
    .set(bP);
  for (let q = 0; q < U; q++) {
    f.get(aP).i32(aStep).op(OP.i32_add).set(aP);
    b.forEach((v, h) =>
      f
        .get(bP)
        .v128Load(16 * h + q * bStep)
        .set(v),
    );
    for (let r = 0; r < MR; r++) {
      f.get(aP)
        .splatLoad(4 * r)
        .set(a);
      b.forEach((v, h) => {
        const x = acc[r * H + h]!;
        f.get(x).get(a).get(v).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(x);
      });
    }
    if (q < U - 1)
      f.get(kc)
        .i32(q + 1)
        .op(OP.i32_eq)
        .op(OP.br_if, 1);
    else f.get(kc).i32(U).op(OP.i32_sub).tee(kc).op(OP.br_if, 0);
  }
  f.op(OP.end);
  f.op(OP.end);
  acc.forEach((x, n) => f.get(at(n)[0]).get(x).v128Store(at(n)[1]));
  return f;
}
