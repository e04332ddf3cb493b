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
  'red_sh',
];
