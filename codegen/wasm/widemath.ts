// The float64-lane functions of lanewide.ts as f32x4 operations: ten unary functions (each widened
// half by half, odd ones on |x| with x's sign put back) and pow with JavaScript's special cases.
import { FuncBuilder, SIMD } from './encoder.ts';
import {
  asin64,
  atan64,
  exp64,
  expm164,
  log1p64,
  log64,
  select,
  splatF32,
  splatF64,
  tan64,
  v128,
  widened,
} from './lanewide.ts';

/** The unary functions computed here (each consumes and pushes one f32x4). */
export const WIDE_MATH = [
  'log1p',
  'expm1',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'asinh',
  'atanh',
] as const;
export type WideMath = (typeof WIDE_MATH)[number];

/** Each function on one f64x2 half in local h (odd ones get |x| and their sign back after). */
const HALF: { readonly [P in WideMath]: (f: FuncBuilder, h: number) => void } = {
  log1p: log1p64,
  expm1: expm164,
  tan: tan64,
  atan: atan64,
  asin: asin64,
  acos: (f, h) => {
    // π/2 − asin x, with x's sign
    splatF64(f, Math.PI / 2);
    asin64(f, h);
    f.simd(SIMD.f64x2_sub);
  },
  sinh: (f, h) => {
    // E = e^x − 1: sinh x = (E + E/(E + 1))/2, no cancellation near 0
    const e = f.local('v128');
    expm164(f, h);
    f.tee(e).get(e).get(e);
    splatF64(f, 1).simd(SIMD.f64x2_add).simd(SIMD.f64x2_div).simd(SIMD.f64x2_add);
    splatF64(f, 0.5).simd(SIMD.f64x2_mul);
  },
  cosh: (f, h) => {
    const e = f.local('v128');
    f.get(h).simd(SIMD.f64x2_abs).set(e);
    exp64(f, e);
    f.tee(e);
    splatF64(f, 1).get(e).simd(SIMD.f64x2_div).simd(SIMD.f64x2_add);
    splatF64(f, 0.5).simd(SIMD.f64x2_mul);
  },
  asinh: (f, h) => {
    // log1p(x + x²/(1 + √(1 + x²))): no cancellation near 0
    const [q, w] = v128(f, 2);
    f.get(h).get(h).simd(SIMD.f64x2_mul).tee(q).get(q);
    splatF64(f, 1).simd(SIMD.f64x2_add).simd(SIMD.f64x2_sqrt);
    splatF64(f, 1).simd(SIMD.f64x2_add).simd(SIMD.f64x2_div).get(h).simd(SIMD.f64x2_add).set(w);
    log1p64(f, w);
  },
  atanh: (f, h) => {
    // log1p(2x/(1 − x))/2: ±1 → ±∞ (2/0), |x| > 1 → log1p of less than −1: NaN
    const w = f.local('v128');
    f.get(h);
    splatF64(f, 2).simd(SIMD.f64x2_mul);
    splatF64(f, 1).get(h).simd(SIMD.f64x2_sub).simd(SIMD.f64x2_div).set(w);
    log1p64(f, w);
    splatF64(f, 0.5).simd(SIMD.f64x2_mul);
  },
};

/** Odd functions: computed on |x|, then x's sign bit put back (so −0 stays −0). */
const ODD: ReadonlySet<WideMath> = new Set(['tan', 'atan', 'asin', 'sinh', 'asinh', 'atanh']);

/**
 * Apply `op` to the f32x4 on the stack. Functions whose sign follows x's (log1p, expm1, and the
 * odd ones) get x's sign bit or-ed in, which only changes a zero result (−0 for x = −0).
 */
export function wideMath(f: FuncBuilder, op: WideMath): void {
  const [x, a] = v128(f, 2);
  f.tee(x);
  if (ODD.has(op)) f.simd(SIMD.f32x4_abs);
  f.set(a);
  widened(f, [a], ([h]) => HALF[op](f, h!));
  if (op === 'cosh' || op === 'acos') return;
  f.get(x);
  splatF32(f, -0)
    .simd(SIMD.v128_and)
    .simd(op === 'tan' ? SIMD.v128_xor : SIMD.v128_or);
  if (op === 'asinh') {
    // ±∞: x²/(1 + √(1 + x²)) is ∞/∞ on the way
    const r = f.local('v128');
    f.set(r);
    select(
      f,
      () => f.get(x),
      () => f.get(r),
      () => {
        f.get(x).simd(SIMD.f32x4_abs);
        splatF32(f, Infinity).simd(SIMD.f32x4_eq);
      },
    );
  }
}

/**
 * pow(a, b) on the two f32x4 on the stack (a below b), as Math.pow: |a|^b = e^(b·log|a|) in
 * float64, then the sign and domain rules patched lane-wise: a negative a with an odd integer b
 * flips the sign (−0 and −∞ too), a finite negative a with a finite non-integer b is NaN, and b = ±0
 * gives 1 (even for a NaN). 0·∞ = NaN in b·log|a| gives JavaScript's pow(±1, ±∞) = NaN.
 */
export function lanePow(f: FuncBuilder): void {
  const [a, b, odd, r] = v128(f, 4);
  f.set(b).set(a);
  widened(f, [a, b], ([ah, bh]) => {
    const y = f.local('v128');
    f.get(ah!).simd(SIMD.f64x2_abs).set(y);
    log64(f, y);
    f.get(bh!).simd(SIMD.f64x2_mul).set(y);
    exp64(f, y);
  });
  f.set(r);
  const f32 = (v: number) => splatF32(f, v);
  // odd: b is an integer and b/2 is not
  f.get(b).get(b).simd(SIMD.f32x4_trunc).simd(SIMD.f32x4_eq);
  f.get(b);
  f32(0.5).simd(SIMD.f32x4_mul).tee(odd).get(odd).simd(SIMD.f32x4_trunc).simd(SIMD.f32x4_ne);
  f.simd(SIMD.v128_and).set(odd);
  f.get(r).get(a).get(odd).simd(SIMD.v128_and);
  f32(-0).simd(SIMD.v128_and).simd(SIMD.v128_xor).set(r);
  select(
    f,
    () => f32(NaN),
    () => f.get(r),
    () => {
      f.get(a);
      f32(0).simd(SIMD.f32x4_lt).get(a);
      f32(-Infinity).simd(SIMD.f32x4_ne).simd(SIMD.v128_and);
      f.get(b).get(b).simd(SIMD.f32x4_trunc).simd(SIMD.f32x4_ne).simd(SIMD.v128_and);
      f.get(b).simd(SIMD.f32x4_abs);
      f32(Infinity).simd(SIMD.f32x4_ne).simd(SIMD.v128_and);
    },
  );
  f.set(r);
  select(
    f,
    () => f32(1),
    () => f.get(r),
    () => {
      f.get(b);
      f32(0).simd(SIMD.f32x4_eq);
    },
  );
}
