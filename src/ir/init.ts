// Parameter initializers as data, and their deterministic materialization from a seed.
import type { Shape } from './shape.ts';
import { size } from './shape.ts';

export type InitSpec =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'uniform'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'values'; readonly values: readonly number[] };

export const zeros: InitSpec = { kind: 'zeros' };
export const normal = (std = 1, mean = 0): InitSpec => ({ kind: 'normal', mean, std });
export const uniform = (lo: number, hi: number): InitSpec => ({ kind: 'uniform', lo, hi });
export const constant = (value: number): InitSpec => ({ kind: 'constant', value });
export const values = (v: readonly number[]): InitSpec => ({ kind: 'values', values: v });

/** mulberry32: a small, fast, seedable PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller from a uniform source. */
export function normalSampler(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/** FNV-1a of a string, so each param gets its own stream from one model seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function materialize(spec: InitSpec, shape: Shape, seed: number): Float64Array {
  const n = size(shape);
  const out = new Float64Array(n);
  switch (spec.kind) {
    case 'zeros':
      return out;
    case 'constant':
      return out.fill(spec.value);
    case 'values':
      if (spec.values.length !== n) {
        throw new Error(`init values: ${spec.values.length} values for ${n} elements`);
      }
      out.set(spec.values);
      return out;
    case 'normal': {
      const gauss = normalSampler(mulberry32(seed));
      for (let i = 0; i < n; i++) out[i] = spec.mean + spec.std * gauss();
      return out;
    }
    case 'uniform': {
      const rand = mulberry32(seed);
      for (let i = 0; i < n; i++) out[i] = spec.lo + (spec.hi - spec.lo) * rand();
      return out;
    }
  }
}
