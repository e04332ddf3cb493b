// The matmul micro-kernel: one wasm function, shared by every matmul kernel of a module, that
// multiplies a packed MR-row strip of A by a packed NR-column panel of B into an MR×NR block of
// C held in f32x4 registers. Sharing it means V8 tiers it up (Liftoff → TurboFan) during the
// first matmul instead of after it, and compiles it once.
import { FuncBuilder, OP, SIMD } from './encoder.ts';

/**
 * The register tile, 4 rows × 8 columns (two f32x4 per row), measured fastest of 4×8, 6×8, 8×8,
 * 4×12, 3×12, 2×16 and of k unrolled 1, 2 or 4 times (tmp-free 1024² runs, 2-core AMD EPYC, V8
 * 11.3). TurboFan issues every load of a loop iteration before its arithmetic, so accumulators
 * plus loaded values must fit the 15 SIMD registers it allocates on x64 (xmm15 is its scratch):
 * 8 accumulators + 2 B vectors + 4 A splats + 1 product is 15; larger tiles or unrolled k spill.
 * Without fused multiply-add (relaxed SIMD needs a flag in Node 20), a product takes a register.
 */
export const MR = 4;
export const NR = 8;

/** The micro-kernel's parameters, in order. */
export const MICRO_PARAMS = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const;

/**
 * micro(aP, bP, cP, kc, ldc, load): C[r, c] (+)= Σ_p A[r, p]·B[p, c] for the packed strip at byte
 * address aP (MR floats per p) and panel at bP (NR floats per p), p < kc (≥ 1); row r of C starts
 * at cP + r·ldc (bytes). load = 0 starts from zero (the first K block), else from C.
 */
export function renderMicroKernel(): FuncBuilder {
  const f = new FuncBuilder(MICRO_PARAMS);
  const [aP, bP, cP, kc, ldc, load] = [0, 1, 2, 3, 4, 5];
  const H = NR / 4;
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
  f.op(OP.loop, 0x40);
  b.forEach((v, h) => {
    const offset = 16 * h;
    f.get(bP).v128Load(offset).set(v);
  });
  for (let r = 0; r < MR; r++) {
    const offset = 4 * r;
    f.get(aP).splatLoad(offset).set(a);
    b.forEach((v, h) => {
      const x = acc[r * H + h]!;
      f.get(x).get(a).get(v).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(x);
    });
  }
  const [aStep, bStep] = [4 * MR, 4 * NR];
  f.get(aP).i32(aStep).op(OP.i32_add).set(aP);
  f.get(bP).i32(bStep).op(OP.i32_add).set(bP);
  f.get(kc).i32(1).op(OP.i32_sub).tee(kc).op(OP.br_if, 0);
  f.op(OP.end);
  acc.forEach((x, n) => f.get(at(n)[0]).get(x).v128Store(at(n)[1]));
  return f;
}
