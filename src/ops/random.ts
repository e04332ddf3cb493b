// The counter-based hash behind `random`: every backend computes the same bits from
// (seed, counter, element index), so random draws are reproducible and need no state.

/** PCG-style 32-bit integer hash (wrapping u32 arithmetic, as in WGSL). */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** 24 random bits as a float in [0, 1): exact in float32 as well. */
export function bitsToUnit(h: number): number {
  return (h >>> 8) / 16777216;
}

export function randomBits(seed: number, counter: number, index: number): number {
  return pcgHash((seed ^ pcgHash((counter ^ pcgHash(index >>> 0)) >>> 0)) >>> 0);
}

export function randomUniform(seed: number, counter: number, index: number): number {
  return bitsToUnit(randomBits(seed, counter, index));
}

/** Box–Muller from two chained hashes of the element's bits. */
export function randomNormal(seed: number, counter: number, index: number): number {
  const h1 = pcgHash(randomBits(seed, counter, index));
  const h2 = pcgHash(h1);
  const u1 = 1 - bitsToUnit(h1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * bitsToUnit(h2));
}
