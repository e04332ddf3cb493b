// Lane math in float64: an f32x4 is widened into two f64x2 halves, computed by plain float64
// range reductions and Taylor series, and narrowed back with one rounding to float32. For the
// functions whose float32 forms need delicate corrections to stay within a few ulps (log1p and
// expm1 near 0, tan near π/2, asin/acos near ±1, pow's b·log|a| for large b), float64 leaves
// ~1e−15 relative error, so the float32 result is almost always the correctly rounded one. Twice
// the lanes of float32 code, and still no call into JavaScript's Math per element.
import { FuncBuilder, SIMD } from './encoder.ts';

/** Shuffle: lanes 0–1 of the first operand, then lanes 0–1 of the second (32-bit lanes). */
export const LOW_PAIRS = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
/** Shuffle: lanes 2–3 of the operand into lanes 0–1. */
export const HIGH_PAIR = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Shuffle: the low 32 bits of each 64-bit lane into lanes 0–1. */
const I64_LOWS = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];

const LN2_HI = 6.9314718036912381649e-1; // ln 2 to 32 bits: n·LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const SIGN64 = -0x8000000000000000n;
/**
 * atan(√z)/√z on [0, tan²(π/8)] and asin(√w)/√w on [0, ¼], lowest power first: Chebyshev
 * interpolants (degrees 9 and 11) in monomial form, relative error ≤ 1.3e−15 and 4.5e−16.
 */
const ATAN = [
  0.9999999999999989, -0.3333333333321473, 0.19999999977443178, -0.14285712609528986,
  0.11111047362130504, -0.09089505252379854, 0.0767329039011479, -0.0650455027539762,
  0.05020216100435989, -0.025256170128154266,
];
const ASIN = [
  1.0, 0.1666666666668739, 0.07499999995914518, 0.04464286016742471, 0.03038182918052619,
  0.0223747470704341, 0.017316062626816203, 0.014305017526502983, 0.009475052065654214,
  0.017946876743563222, -0.011150580443272636, 0.031097037750177085,
];

export function splatF64(f: FuncBuilder, v: number): FuncBuilder {
  return f.simd(SIMD.v128_const, ...new Uint8Array(new Float64Array([v, v]).buffer));
}

/** Push the f32x4 constant (v, v, v, v). */
export function splatF32(f: FuncBuilder, v: number): FuncBuilder {
  return f.simd(SIMD.v128_const, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
}

export function splatI64(f: FuncBuilder, v: bigint): FuncBuilder {
  return f.simd(SIMD.v128_const, ...new Uint8Array(new BigInt64Array([v, v]).buffer));
}

export const v128 = (f: FuncBuilder, n: number) => Array.from({ length: n }, () => f.local('v128'));

/** Push Σ c(k)·x^(k − from) for k = from…to (Horner, highest first), x in a local. */
function taylor(
  f: FuncBuilder,
  x: number,
  from: number,
  to: number,
  c: (k: number) => number,
): void {
  splatF64(f, c(to));
  for (let k = to - 1; k >= from; k--) {
    f.get(x).simd(SIMD.f64x2_mul);
    splatF64(f, c(k)).simd(SIMD.f64x2_add);
  }
}
const factorial = (n: number): number => (n < 2 ? 1 : n * factorial(n - 1));

/** Push bitselect(a, b, mask): a where the mask is set, else b (each pushed by its callback). */
export function select(f: FuncBuilder, a: () => void, b: () => void, mask: () => void): void {
  a();
  b();
  mask();
  f.simd(SIMD.v128_bitselect);
}

/**
 * Apply `body` to the f32x4 values in locals `ins`: lanes 0–1 widened to f64x2 locals, then lanes
 * 2–3; `body` pushes each half's f64x2 result. Pushes the four results narrowed to float32.
 */
export function widened(
  f: FuncBuilder,
  ins: readonly number[],
  body: (halves: readonly number[]) => void,
): void {
  const halves = v128(f, ins.length);
  const [lo, hi] = v128(f, 2);
  for (const half of [0, 1]) {
    ins.forEach((v, i) => {
      f.get(v);
      if (half) f.get(v).simd(SIMD.i8x16_shuffle, ...HIGH_PAIR);
      f.simd(SIMD.f64x2_promote_low_f32x4).set(halves[i]!);
    });
    body(halves);
    f.simd(SIMD.f32x4_demote_f64x2_zero).set(half ? hi : lo);
  }
  f.get(lo)
    .get(hi)
    .simd(SIMD.i8x16_shuffle, ...LOW_PAIRS);
}

/**
 * e^x = s·(1 + p) for the f64x2 in local x: x clamped to ±200 (float32 results are 0 or ∞ beyond;
 * min/max keep NaN), n = round(x·log₂e), r = x − n·ln2 (|r| ≤ ln2/2), p = e^r − 1 by its Taylor
 * series to r¹³, s = 2^n from the exponent bits. Returns the locals [s, p].
 */
function expParts(f: FuncBuilder, x: number): [number, number] {
  const [c, n, r, s, p] = v128(f, 5);
  f.get(x);
  splatF64(f, 200).simd(SIMD.f64x2_min);
  splatF64(f, -200).simd(SIMD.f64x2_max).tee(c);
  splatF64(f, Math.LOG2E).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_nearest).tee(n);
  f.simd(SIMD.i32x4_trunc_sat_f64x2_s_zero).simd(SIMD.i64x2_extend_low_i32x4_s);
  splatI64(f, 1023n).simd(SIMD.i64x2_add).i32(52).simd(SIMD.i64x2_shl).set(s);
  f.get(c).get(n);
  splatF64(f, LN2_HI).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub).get(n);
  splatF64(f, LN2_LO).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub).set(r);
  // p = r + r²·(1/2! + r·(1/3! + … + r/13!))
  taylor(f, r, 2, 13, (k) => 1 / factorial(k));
  f.get(r).simd(SIMD.f64x2_mul).get(r).simd(SIMD.f64x2_mul).get(r).simd(SIMD.f64x2_add).set(p);
  return [s, p];
}

/** Push e^x for the f64x2 in local x. */
export function exp64(f: FuncBuilder, x: number): void {
  const [s, p] = expParts(f, x);
  f.get(s).get(p).simd(SIMD.f64x2_mul).get(s).simd(SIMD.f64x2_add);
}

/** Push e^x − 1 = s·p + (s − 1): exact to float64 rounding near 0, where s = 1. */
export function expm164(f: FuncBuilder, x: number): void {
  const [s, p] = expParts(f, x);
  f.get(s).get(p).simd(SIMD.f64x2_mul).get(s);
  splatF64(f, 1).simd(SIMD.f64x2_sub).simd(SIMD.f64x2_add);
}

/**
 * Push log u for the f64x2 in local u (a float32 value: no float64 subnormals): u = m·2^k with m
 * in [√½, √2) read off the bits (musl's offset trick), log m = 2·atanh s, s = (m − 1)/(m + 1),
 * |s| ≤ 0.172, by its series to s¹⁹. Then patched: 0 → −∞, negatives and NaN → NaN, ∞ → ∞.
 */
export function log64(f: FuncBuilder, u: number): void {
  const [ix, k, s, z, res] = v128(f, 5);
  const offset = 0x3ff0000000000000n - 0x3fe6a09e667f3bcdn;
  f.get(u);
  splatI64(f, offset).simd(SIMD.i64x2_add).tee(ix);
  f.i32(52).simd(SIMD.i64x2_shr_s);
  splatI64(f, -1023n).simd(SIMD.i64x2_add).tee(k).get(k);
  f.simd(SIMD.i8x16_shuffle, ...I64_LOWS)
    .simd(SIMD.f64x2_convert_low_i32x4_s)
    .set(k);
  f.get(ix);
  splatI64(f, 0x000fffffffffffffn).simd(SIMD.v128_and);
  splatI64(f, 0x3fe6a09e667f3bcdn).simd(SIMD.i64x2_add).tee(s);
  splatF64(f, 1).simd(SIMD.f64x2_sub).get(s);
  splatF64(f, 1).simd(SIMD.f64x2_add).simd(SIMD.f64x2_div).tee(s);
  f.get(s).simd(SIMD.f64x2_mul).set(z);
  // s·(2 + z·(2/3 + z·(2/5 + … + z·2/19)))
  taylor(f, z, 1, 9, (j) => 2 / (2 * j + 1));
  f.get(z).simd(SIMD.f64x2_mul);
  splatF64(f, 2).simd(SIMD.f64x2_add).get(s).simd(SIMD.f64x2_mul);
  f.get(k);
  splatF64(f, LN2_LO).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add).get(k);
  splatF64(f, LN2_HI).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add).set(res);
  const cmp = (op: number, v: number) => () => splatF64(f.get(u), v).simd(op);
  select(
    f,
    () => f.get(res),
    () => splatF64(f, NaN),
    cmp(SIMD.f64x2_ge, 0),
  );
  f.set(res);
  select(
    f,
    () => splatF64(f, -Infinity),
    () => f.get(res),
    cmp(SIMD.f64x2_eq, 0),
  );
  f.set(res);
  select(
    f,
    () => splatF64(f, Infinity),
    () => f.get(res),
    cmp(SIMD.f64x2_eq, Infinity),
  );
}

/**
 * Push log(1 + x) for the f64x2 in local x: u = 1 + x rounds, and log u − ((u − 1) − x)/u takes
 * that rounding back out (Goldberg), so tiny x give x. Where log u is not finite it stands.
 */
export function log1p64(f: FuncBuilder, x: number): void {
  const [u, l] = v128(f, 2);
  f.get(x);
  splatF64(f, 1).simd(SIMD.f64x2_add).set(u);
  log64(f, u);
  f.set(l);
  select(
    f,
    () => {
      f.get(l).get(u);
      splatF64(f, 1).simd(SIMD.f64x2_sub).get(x).simd(SIMD.f64x2_sub);
      f.get(u).simd(SIMD.f64x2_div).simd(SIMD.f64x2_sub);
    },
    () => f.get(l),
    () => {
      f.get(l).simd(SIMD.f64x2_abs);
      splatF64(f, Infinity).simd(SIMD.f64x2_lt);
    },
  );
}

/**
 * Push atan t for the f64x2 in local t ≥ 0 (or NaN): t > 1 → π/2 − atan(1/t), then t > tan(π/8)
 * → π/4 + atan((t − 1)/(t + 1)), leaving |u| ≤ 0.4143 for u·ATAN(u²).
 */
export function atan64(f: FuncBuilder, t: number): void {
  const [big, t1, mid, u, z, a] = v128(f, 6);
  f.get(t);
  splatF64(f, 1).simd(SIMD.f64x2_gt).set(big);
  select(
    f,
    () => splatF64(f, 1).get(t).simd(SIMD.f64x2_div),
    () => f.get(t),
    () => f.get(big),
  );
  f.tee(t1);
  splatF64(f, Math.SQRT2 - 1)
    .simd(SIMD.f64x2_gt)
    .set(mid);
  select(
    f,
    () => {
      f.get(t1);
      splatF64(f, 1).simd(SIMD.f64x2_sub).get(t1);
      splatF64(f, 1).simd(SIMD.f64x2_add).simd(SIMD.f64x2_div);
    },
    () => f.get(t1),
    () => f.get(mid),
  );
  f.tee(u).get(u).simd(SIMD.f64x2_mul).set(z);
  taylor(f, z, 0, ATAN.length - 1, (k) => ATAN[k]!);
  f.get(u).simd(SIMD.f64x2_mul);
  f.get(mid);
  splatF64(f, Math.PI / 4)
    .simd(SIMD.v128_and)
    .simd(SIMD.f64x2_add)
    .set(a);
  select(
    f,
    () =>
      splatF64(f, Math.PI / 2)
        .get(a)
        .simd(SIMD.f64x2_sub),
    () => f.get(a),
    () => f.get(big),
  );
}

/**
 * Push asin x for the f64x2 in local x: on |x| ≤ ½, x·Q(x²); above, π/2 − 2·asin √((1 − |x|)/2)
 * (fdlibm's reduction: no division), Q in both; x's sign put back. ±1 → ±π/2, |x| > 1 → NaN.
 */
export function asin64(f: FuncBuilder, x: number): void {
  const [t, big, w, s] = v128(f, 4);
  f.get(x).simd(SIMD.f64x2_abs).tee(t);
  splatF64(f, 0.5).simd(SIMD.f64x2_gt).set(big);
  select(
    f,
    () => splatF64(splatF64(f, 1).get(t).simd(SIMD.f64x2_sub), 0.5).simd(SIMD.f64x2_mul),
    () => f.get(t).get(t).simd(SIMD.f64x2_mul),
    () => f.get(big),
  );
  f.set(w);
  select(
    f,
    () => f.get(w).simd(SIMD.f64x2_sqrt),
    () => f.get(t),
    () => f.get(big),
  );
  f.set(s);
  taylor(f, w, 0, ASIN.length - 1, (k) => ASIN[k]!);
  f.get(s).simd(SIMD.f64x2_mul).set(s);
  select(
    f,
    () =>
      splatF64(f, Math.PI / 2)
        .get(s)
        .get(s)
        .simd(SIMD.f64x2_add)
        .simd(SIMD.f64x2_sub),
    () => f.get(s),
    () => f.get(big),
  );
  f.get(x);
  splatI64(f, SIGN64).simd(SIMD.v128_and).simd(SIMD.v128_or);
}

/**
 * Push tan x for the f64x2 in local x ≥ 0: x reduced by π/2 as sin and cos are (lanemath.ts; exact
 * enough below 4e8), sin r and cos r by their series on [−π/4, π/4], then sin/cos in even
 * quadrants and −cos/sin in odd ones (near π/2, r is small and −cos/sin is accurate).
 */
export function tan64(f: FuncBuilder, x: number): void {
  const [n, r, z, s, c] = v128(f, 5);
  f.get(x);
  splatF64(f, 2 / Math.PI)
    .simd(SIMD.f64x2_mul)
    .simd(SIMD.f64x2_nearest)
    .set(n);
  f.get(x).get(n);
  splatF64(f, 1.5707963109016418457).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub).get(n);
  splatF64(f, 1.58932547735281966916e-8).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub).tee(r);
  f.get(r).simd(SIMD.f64x2_mul).set(z);
  taylor(f, z, 1, 9, (k) => (-1) ** k / factorial(2 * k + 1));
  f.get(z).simd(SIMD.f64x2_mul).get(r).simd(SIMD.f64x2_mul).get(r).simd(SIMD.f64x2_add).set(s);
  taylor(f, z, 1, 9, (k) => (-1) ** k / factorial(2 * k));
  f.get(z).simd(SIMD.f64x2_mul);
  splatF64(f, 1).simd(SIMD.f64x2_add).set(c);
  select(
    f,
    () => f.get(c).simd(SIMD.f64x2_neg).get(s).simd(SIMD.f64x2_div),
    () => f.get(s).get(c).simd(SIMD.f64x2_div),
    () => {
      // n odd: n/2 is not an integer
      f.get(n);
      splatF64(f, 0.5).simd(SIMD.f64x2_mul).tee(z).get(z).simd(SIMD.f64x2_trunc);
      f.simd(SIMD.f64x2_ne);
    },
  );
}
