// WGSL helper functions emitted once per module when a kernel needs them: the counter-based random
// hash (the same u32 bits as src/ops/random.ts), floored integer division, and JavaScript's pow.

const PCG = `fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rand_bits(seed: u32, counter: u32, index: u32) -> u32 {
  return pcg_hash(seed ^ pcg_hash(counter ^ pcg_hash(index)));
}`;

const HELPERS: Readonly<Record<string, { needs?: string; text: string }>> = {
  f32_bits: {
    text: `// A float from its bits at run time (infinities and NaN are not WGSL constants).
fn f32_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}`,
  },
  pcg: { text: PCG },
  rand_uniform: {
    needs: 'pcg',
    text: `fn rand_uniform(seed: u32, counter: u32, index: u32) -> f32 {
  return f32(rand_bits(seed, counter, index) >> 8u) / 16777216f;
}`,
  },
  rand_normal: {
    needs: 'pcg',
    text: `// Box–Muller from two chained hashes of the element's bits.
fn rand_normal(seed: u32, counter: u32, index: u32) -> f32 {
  let h1 = pcg_hash(rand_bits(seed, counter, index));
  let h2 = pcg_hash(h1);
  let u1 = 1f - f32(h1 >> 8u) / 16777216f;
  return sqrt(-2f * log(u1)) * cos(6.2831855f * (f32(h2 >> 8u) / 16777216f));
}`,
  },
  div_floor: {
    text: `// Integer division rounding toward -∞, as the reference does.
fn div_floor(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1i, a % b != 0i && (a < 0i) != (b < 0i));
}`,
  },
  pow_js: {
    needs: 'f32_bits',
    text: `// pow with JavaScript's meaning for negative bases and integer exponents.
fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0f) {
    return 1f;
  }
  if (b == 2f) {
    return a * a;
  }
  let m = pow(abs(a), b);
  if (a >= 0f) {
    return m;
  }
  if (fract(b) != 0f) {
    return f32_bits(0x7fc00000u);
  }
  return select(m, -m, fract(b * 0.5f) != 0f);
}`,
  },
  log1p_f: {
    text: `// log(1 + x), accurate near 0: the rounding of 1 + x cancels out (Kahan).
fn log1p_f(x: f32) -> f32 {
  let u = 1f + x;
  if (u == 1f) {
    return x;
  }
  return log(u) * x / (u - 1f);
}`,
  },
  expm1_f: {
    text: `// exp(x) − 1, accurate near 0 (Kahan); plain exp(x) − 1 loses nothing for |x| > 1.
fn expm1_f(x: f32) -> f32 {
  let u = exp(x);
  if (u == 1f) {
    return x;
  }
  if (abs(x) > 1f) {
    return u - 1f;
  }
  return (u - 1f) * x / log(u);
}`,
  },
  erf_f: {
    text: `// erf: Taylor series near 0; beyond, 1 − erfc by Numerical Recipes' fit (|rel| < 1.2e-7).
fn erf_f(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5f) {
    let z = x * x;
    let s = -0.0238095238f + z * (0.0046296296f + z * (-0.00075757576f + z * 0.00010683761f));
    return 1.1283791671f * x * (1f + z * (-0.3333333333f + z * (0.1f + z * s)));
  }
  let t = 1f / (1f + 0.5f * a);
  let p = 0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)));
  let q = 1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * p)));
  let r = t * exp(-a * a - 1.26551223f + t * q);
  return sign(x) * (1f - r);
}`,
  },
  asin_f: {
    text: `// asin and acos through atan2: some drivers' builtins err by 1e-4 (Mesa's lavapipe).
fn asin_f(x: f32) -> f32 {
  return atan2(x, sqrt((1f - x) * (1f + x)));
}`,
  },
  acos_f: {
    text: `fn acos_f(x: f32) -> f32 {
  return atan2(sqrt((1f - x) * (1f + x)), x);
}`,
  },
  i32_sat: {
    text: `// f32 → i32 toward zero, saturating, NaN → 0, as TS and wasm's trunc_sat: WGSL's own i32(x)
// clamps to 2147483520 and leaves NaN to the driver. NaN is tested on the bits (WGSL may assume
// floats are finite).
fn i32_sat(x: f32) -> i32 {
  if ((bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u) {
    return 0i;
  }
  if (x >= 2147483648f) {
    return 2147483647i;
  }
  return i32(max(x, -2147483648f));
}`,
  },
  is_nonfinite: {
    text: `// The numerics guard: NaN or ±∞, from the bits (WGSL may assume floats are finite).
fn is_nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}`,
  },
  nonfinite_code: {
    text: `// A non-finite element as one word: index·4 + 0 (NaN), 1 (+∞) or 2 (−∞).
fn nonfinite_code(v: f32, i: i32) -> u32 {
  let bits = bitcast<u32>(v);
  var kind = 0u;
  if ((bits & 0x7fffffu) == 0u) {
    kind = select(1u, 2u, bits >= 0x80000000u);
  }
  return min(u32(i), 0x3ffffffeu) * 4u + kind;
}`,
  },
};

/** The helpers a kernel calls (any of `idents`), with their dependencies, in a fixed order. */
export function helpersCalled(idents: ReadonlySet<string>): string[] {
  const want = new Set<string>();
  for (const [k, h] of Object.entries(HELPERS)) {
    if (!idents.has(k)) continue;
    want.add(k);
    if (h.needs) want.add(h.needs);
  }
  return Object.keys(HELPERS).filter((k) => want.has(k));
}

/** The WGSL text of helper `key`. */
export const helperText = (key: string): string => HELPERS[key]!.text;

/** Module-scope names the helpers and kernels declare, never given to buffers. */
export const HELPER_NAMES = [
  'f32_bits',
  'pcg_hash',
  'rand_bits',
  'rand_uniform',
  'rand_normal',
  'div_floor',
  'pow_js',
  'log1p_f',
  'expm1_f',
  'erf_f',
  'asin_f',
  'acos_f',
  'i32_sat',
  'is_nonfinite',
  'nonfinite_code',
  'red_sh',
];
