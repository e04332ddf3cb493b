// Transcendental functions on four float32 lanes, in wasm SIMD: no call out to JavaScript's Math
// per element. Cephes-style polynomials in float32 (range reduction, then a short polynomial),
// with every special value handled lane-wise: ±∞, NaN, overflow to ∞ and underflow through the
// subnormals to 0. test/wasm/lanemath.test.ts bounds the error against Math over the whole f32
// range.
import { FuncBuilder, SIMD } from './encoder.ts';

/** The unary functions these lane routines compute (each consumes and pushes one f32x4). */
export const LANE_MATH = ['exp', 'tanh', 'sigmoid'] as const;
export type LaneMath = (typeof LANE_MATH)[number];
export const isLaneMath = (op: string): op is LaneMath =>
  (LANE_MATH as readonly string[]).includes(op);

/** Push the f32x4 constant (v, v, v, v). */
export function splatF32(f: FuncBuilder, v: number): FuncBuilder {
  return f.simd(SIMD.v128_const, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
}

function splatI32(f: FuncBuilder, v: number): FuncBuilder {
  return f.simd(SIMD.v128_const, ...new Uint8Array(new Int32Array([v, v, v, v]).buffer));
}

/** acc·x + c for each coefficient in turn (Horner), x in a local; the value starts on the stack. */
function horner(f: FuncBuilder, x: number, coeffs: readonly number[]): void {
  for (const c of coeffs) {
    f.get(x).simd(SIMD.f32x4_mul);
    splatF32(f, c).simd(SIMD.f32x4_add);
  }
}

/** 2^n for i32 lanes n in [−75, 64]: the biased exponent shifted into place. */
function pow2(f: FuncBuilder): void {
  splatI32(f, 127).simd(SIMD.i32x4_add);
  f.i32(23).simd(SIMD.i32x4_shl);
}

/**
 * exp(x): n = round(x·log₂e), r = x − n·ln2 (ln2 split in two so r is exact), e^r by a degree-6
 * polynomial, then ·2^n applied as two factors 2^⌊n/2⌋·2^(n−⌊n/2⌋), so that results down in the
 * subnormals and up at ∞ come out of the float multiply itself. x is clamped to [−104, 89] first
 * (outside it exp is 0 or ∞ in float32); min/max keep NaN, and NaN lanes stay NaN.
 */
function exp(f: FuncBuilder): void {
  const [x, n, ni, r] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  splatF32(f, 89).simd(SIMD.f32x4_min);
  splatF32(f, -104).simd(SIMD.f32x4_max).tee(x);
  splatF32(f, Math.LOG2E).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_nearest).tee(n);
  f.simd(SIMD.i32x4_trunc_sat_f32x4_s).set(ni);
  f.get(x).get(n);
  splatF32(f, 0.693359375).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_sub);
  f.get(n);
  splatF32(f, -2.1219444e-4).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_sub).set(r);
  // e^r ≈ 1 + r + r²·P(r)
  splatF32(f, 1.98756915e-4);
  horner(
    f,
    r,
    [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1],
  );
  f.get(r).simd(SIMD.f32x4_mul).get(r).simd(SIMD.f32x4_mul).get(r).simd(SIMD.f32x4_add);
  splatF32(f, 1).simd(SIMD.f32x4_add);
  // · 2^(n >> 1) · 2^(n − (n >> 1))
  f.get(ni).i32(1).simd(SIMD.i32x4_shr_s).tee(n);
  pow2(f);
  f.simd(SIMD.f32x4_mul);
  f.get(ni).get(n).simd(SIMD.i32x4_sub);
  pow2(f);
  f.simd(SIMD.f32x4_mul);
}

/**
 * tanh(x): an odd polynomial x + x³·P(x²) below |x| = 0.625 (where 1 − 2/(e^{2|x|}+1) would
 * cancel), that formula above; both are computed and one selected per lane, then x's sign bit is
 * put back (so −0 stays −0, and ±∞ gives ±1).
 */
function tanh(f: FuncBuilder): void {
  const [x, z, small] = [f.local('v128'), f.local('v128'), f.local('v128')];
  f.tee(x).simd(SIMD.f32x4_abs);
  splatF32(f, 0.625).simd(SIMD.f32x4_lt).set(small);
  // small: x + x·z·P(z), z = x²
  f.get(x).get(x).simd(SIMD.f32x4_mul).set(z);
  splatF32(f, -5.70498872745e-3);
  horner(f, z, [2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]);
  f.get(z).simd(SIMD.f32x4_mul).get(x).simd(SIMD.f32x4_mul).get(x).simd(SIMD.f32x4_add);
  // large: 1 − 2/(e^{2|x|} + 1)
  splatF32(f, 1);
  splatF32(f, 2);
  f.get(x).simd(SIMD.f32x4_abs);
  splatF32(f, 2).simd(SIMD.f32x4_mul);
  exp(f);
  splatF32(f, 1).simd(SIMD.f32x4_add).simd(SIMD.f32x4_div).simd(SIMD.f32x4_sub);
  f.get(small).simd(SIMD.v128_bitselect);
  // the sign of x: (result with its sign bit cleared) | (x's sign bit)
  splatI32(f, 0x7fffffff).simd(SIMD.v128_and);
  f.get(x);
  splatI32(f, -0x80000000).simd(SIMD.v128_and).simd(SIMD.v128_or);
}

/** sigmoid(x) = 1 / (1 + e^{−x}): e^{−x} = ∞ gives 0, e^{−x} = 0 gives 1. */
function sigmoid(f: FuncBuilder): void {
  const x = f.local('v128');
  f.set(x);
  splatF32(f, 1);
  splatF32(f, 1);
  f.get(x).simd(SIMD.f32x4_neg);
  exp(f);
  f.simd(SIMD.f32x4_add).simd(SIMD.f32x4_div);
}

/** Apply `op` to the f32x4 on the stack. */
export function laneMath(f: FuncBuilder, op: LaneMath): void {
  if (op === 'exp') exp(f);
  else if (op === 'tanh') tanh(f);
  else sigmoid(f);
}
