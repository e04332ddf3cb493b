// Transcendental functions on four float32 lanes, in wasm SIMD: no call out to JavaScript's Math
// per element. Cephes-style polynomials in float32 (range reduction, then a short polynomial),
// with every special value handled lane-wise: ±∞, NaN, overflow to ∞ and underflow through the
// subnormals to 0. The other functions (log1p, expm1, tan, the inverse trig and hyperbolic ones)
// compute in float64 lanes (widemath.ts). test/wasm/lanemath.test.ts bounds the error against Math
// over the whole f32 range.
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { HIGH_PAIR, LOW_PAIRS, splatF32, splatF64 } from './lanewide.ts';
import { WIDE_MATH, wideMath } from './widemath.ts';
import type { WideMath } from './widemath.ts';

export { splatF32 };

/**
 * The unary functions these lane routines compute (each consumes and pushes one f32x4): float32
 * code here, float64 lanes (widemath.ts) for the rest.
 */
export const LANE_MATH = [
  'exp',
  'tanh',
  'sigmoid',
  'log',
  'sin',
  'cos',
  'erf',
  ...WIDE_MATH,
] as const;
export type LaneMath = (typeof LANE_MATH)[number];
export const isLaneMath = (op: string): op is LaneMath =>
  (LANE_MATH as readonly string[]).includes(op);
const isWide = (op: string): op is WideMath => (WIDE_MATH as readonly string[]).includes(op);

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

/**
 * log(x): x = m·2^e with m in [√½, √2) read off the bits (subnormals scaled by 2^23 first), then
 * log(1 + (m − 1)) by a degree-9 polynomial, + e·ln2 (ln2 split in two). Lanes are then patched:
 * +∞ → +∞, ±0 → −∞, negatives and NaN → NaN.
 */
function log(f: FuncBuilder): void {
  const [x, tiny, e, m, z] = [1, 2, 3, 4, 5].map(() => f.local('v128')) as [
    number,
    number,
    number,
    number,
    number,
  ];
  f.tee(x);
  splatF32(f, 2 ** -126)
    .simd(SIMD.f32x4_lt)
    .set(tiny);
  f.get(x);
  splatF32(f, 2 ** 23).simd(SIMD.f32x4_mul);
  f.get(x).get(tiny).simd(SIMD.v128_bitselect).tee(m);
  // e = biased exponent − 126 (− 23 for the scaled subnormals); m ← mantissa in [½, 1)
  f.i32(23).simd(SIMD.i32x4_shr_s);
  splatI32(f, 126).simd(SIMD.i32x4_sub);
  f.get(tiny);
  splatI32(f, -23).simd(SIMD.v128_and).simd(SIMD.i32x4_add).set(e);
  f.get(m);
  splatI32(f, 0x007fffff).simd(SIMD.v128_and);
  splatI32(f, 0x3f000000).simd(SIMD.v128_or).set(m);
  // below √½: m ← 2m, e ← e − 1 (a lane mask is −1); then m ← m − 1
  f.get(m);
  splatF32(f, Math.SQRT1_2).simd(SIMD.f32x4_lt).tee(tiny);
  f.get(e).simd(SIMD.i32x4_add).simd(SIMD.f32x4_convert_i32x4_s).set(e);
  f.get(m);
  splatF32(f, 1).simd(SIMD.f32x4_sub);
  f.get(m).get(tiny).simd(SIMD.v128_and).simd(SIMD.f32x4_add).tee(m);
  f.get(m).simd(SIMD.f32x4_mul).set(z);
  // log(1 + m) ≈ m − z/2 + m·z·P(m) + e·ln2
  splatF32(f, 7.0376836292e-2);
  horner(
    f,
    m,
    [
      -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
      2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
    ],
  );
  f.get(m).simd(SIMD.f32x4_mul).get(z).simd(SIMD.f32x4_mul);
  f.get(e);
  splatF32(f, -2.1219444e-4).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
  f.get(z);
  splatF32(f, -0.5).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
  f.get(m).simd(SIMD.f32x4_add);
  f.get(e);
  splatF32(f, 0.693359375).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
  // the special lanes
  splatF32(f, NaN).get(x);
  splatF32(f, 0).simd(SIMD.f32x4_ge).simd(SIMD.v128_bitselect);
  splatF32(f, -Infinity).get(x);
  splatF32(f, 0).simd(SIMD.f32x4_ne).simd(SIMD.v128_bitselect);
  splatF32(f, Infinity).get(x);
  splatF32(f, Infinity).simd(SIMD.f32x4_ne).simd(SIMD.v128_bitselect);
}

/** Beyond this |x| the float64 reduction below is not exact enough: those lanes ask Math. */
const SINCOS_REDUCED = 4e8;

/**
 * sin(x), cos(x): |x| is reduced by π/2 in float64 lanes as musl's __rem_pio2f does (n = round(x·
 * 2/π), r = x − n·p₁ − n·p₂ with p₁ + p₂ = π/2 to 25 + 53 bits: exact enough below 2^28·π/2),
 * then sin r and cos r by float32 polynomials on [−π/4, π/4] and the quadrant n mod 4 picks one
 * and its sign; sin puts x's sign back (odd; −0 stays −0). If any lane is beyond SINCOS_REDUCED
 * (±∞ too), all four lanes are computed by the imported Math function instead: rare, and exact.
 */
function sinCos(f: FuncBuilder, op: 'sin' | 'cos', call: LaneImport): void {
  const [x, r, q, z, s, n] = [1, 2, 3, 4, 5, 6].map(() => f.local('v128')) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  f.tee(x).simd(SIMD.f32x4_abs).set(z);
  // each pair of lanes in float64: n = nearest(|x|·2/π), r = |x| − n·p₁ − n·p₂
  for (const half of [0, 1]) {
    f.get(z);
    if (half) f.get(z).simd(SIMD.i8x16_shuffle, ...HIGH_PAIR);
    f.simd(SIMD.f64x2_promote_low_f32x4).tee(s);
    splatF64(f, 6.36619772367581382433e-1).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_nearest).tee(n);
    f.simd(SIMD.i32x4_trunc_sat_f64x2_s_zero);
    f.get(s).get(n);
    splatF64(f, 1.5707963109016418457).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub);
    f.get(n);
    splatF64(f, 1.58932547735281966916e-8).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub);
    f.simd(SIMD.f32x4_demote_f64x2_zero);
  }
  // stack: q₀, r₀, q₁, r₁ → r = (r₀, r₁), q = (q₀, q₁)
  f.set(s).set(n);
  f.get(s)
    .simd(SIMD.i8x16_shuffle, ...LOW_PAIRS)
    .set(r);
  f.get(n)
    .simd(SIMD.i8x16_shuffle, ...LOW_PAIRS)
    .set(q);
  if (op === 'cos') {
    f.get(q);
    splatI32(f, 1).simd(SIMD.i32x4_add).set(q);
  }
  f.get(r).get(r).simd(SIMD.f32x4_mul).set(z);
  // sin r ≈ r + r·z·S(z)
  splatF32(f, -1.9515295891e-4);
  horner(f, z, [8.3321608736e-3, -1.6666654611e-1]);
  f.get(z).simd(SIMD.f32x4_mul).get(r).simd(SIMD.f32x4_mul).get(r).simd(SIMD.f32x4_add).set(s);
  // cos r ≈ 1 − z/2 + z²·C(z)
  splatF32(f, 2.443315711809948e-5);
  horner(f, z, [-1.388731625493765e-3, 4.166664568298827e-2]);
  f.get(z).simd(SIMD.f32x4_mul).get(z).simd(SIMD.f32x4_mul);
  f.get(z);
  splatF32(f, -0.5).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
  splatF32(f, 1).simd(SIMD.f32x4_add);
  // odd quadrants take cos r, quadrants 2 and 3 flip the sign
  f.get(s);
  f.get(q).i32(31).simd(SIMD.i32x4_shl).i32(31).simd(SIMD.i32x4_shr_s);
  f.simd(SIMD.v128_bitselect);
  f.get(q).i32(30).simd(SIMD.i32x4_shl);
  splatI32(f, -0x80000000).simd(SIMD.v128_and).simd(SIMD.v128_xor);
  if (op === 'sin') {
    f.get(x);
    splatI32(f, -0x80000000).simd(SIMD.v128_and).simd(SIMD.v128_xor);
  }
  beyondReduction(f, x, call(op));
}

/**
 * The result on the stack stands unless a lane of x (a local) is beyond SINCOS_REDUCED (or ±∞):
 * then all four lanes come from the imported Math function `fn` (rare, and exact).
 */
function beyondReduction(f: FuncBuilder, x: number, fn: number): void {
  const s = f.local('v128');
  f.set(s);
  f.get(x).simd(SIMD.f32x4_abs);
  splatF32(f, SINCOS_REDUCED).simd(SIMD.f32x4_gt).simd(SIMD.v128_any_true);
  f.ifElse(() => {
    for (let l = 0; l < 4; l++) {
      f.get(s).get(x).simd(SIMD.f32x4_extract_lane, l).op(OP.f64_promote_f32);
      f.call(fn).op(OP.f32_demote_f64).simd(SIMD.f32x4_replace_lane, l).set(s);
    }
  });
  f.get(s);
}

/**
 * erf(x) on |x|, x's sign put back (odd; −0 stays −0): below 0.875 its Taylor series in x² to
 * degree 19; above, 1 − erfc(|x|) with erfc(z) = t·e^(−z² + P(t)), t = 1/(1 + z/2) (Numerical
 * Recipes' erfcc, relative error < 1.2e-7: small next to erf ≥ 0.78 there). e^… underflows to 0
 * for large z, so erf saturates at 1; NaN stays NaN through both branches.
 */
function erf(f: FuncBuilder): void {
  const [x, z, t, small] = [1, 2, 3, 4].map(() => f.local('v128')) as number[] as [
    number,
    number,
    number,
    number,
  ];
  f.tee(x).simd(SIMD.f32x4_abs).tee(z);
  splatF32(f, 0.875).simd(SIMD.f32x4_lt).set(small);
  // small: z·Σ cₙ·(z²)ⁿ, cₙ = 2/√π·(−1)ⁿ/(n!(2n+1))
  f.get(z).get(z).simd(SIMD.f32x4_mul).set(t);
  const taylor = Array.from({ length: 10 }, (_, n) => {
    let fact = 1;
    for (let i = 2; i <= n; i++) fact *= i;
    return ((2 / Math.sqrt(Math.PI)) * (-1) ** n) / (fact * (2 * n + 1));
  }).reverse();
  splatF32(f, taylor[0]!);
  horner(f, t, taylor.slice(1));
  f.get(z).simd(SIMD.f32x4_mul);
  // large: 1 − t·exp(−z² + P(t))
  splatF32(f, 1);
  splatF32(f, 1);
  f.get(z);
  splatF32(f, 0.5).simd(SIMD.f32x4_mul);
  splatF32(f, 1).simd(SIMD.f32x4_add).simd(SIMD.f32x4_div).set(t);
  f.get(t);
  f.get(z).get(z).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_neg);
  splatF32(f, 0.17087277);
  horner(
    f,
    t,
    [
      -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
      1.00002368, -1.26551223,
    ],
  );
  f.simd(SIMD.f32x4_add);
  exp(f);
  f.simd(SIMD.f32x4_mul).simd(SIMD.f32x4_sub);
  f.get(small).simd(SIMD.v128_bitselect);
  // x's sign
  f.get(x);
  splatI32(f, -0x80000000).simd(SIMD.v128_and).simd(SIMD.v128_or);
}

/** Imported Math functions a lane routine may fall back to (sin, cos, tan: huge arguments). */
export type LaneImport = (op: 'sin' | 'cos' | 'tan') => number;

/** Apply `op` to the f32x4 on the stack. */
export function laneMath(f: FuncBuilder, op: LaneMath, call?: LaneImport): void {
  if (op === 'exp') exp(f);
  else if (op === 'tanh') tanh(f);
  else if (op === 'log') log(f);
  else if (op === 'erf') erf(f);
  else if (op === 'sin' || op === 'cos' || op === 'tan') {
    if (!call) throw new Error(`internal: wasm lanes: ${op} needs its Math import`);
    if (op !== 'tan') return sinCos(f, op, call);
    const x = f.local('v128');
    f.tee(x);
    wideMath(f, op);
    beyondReduction(f, x, call(op));
  } else if (isWide(op)) wideMath(f, op);
  else sigmoid(f);
}
