// The counter-based random helpers emitted into generated modules that draw random numbers.
// Same bits as src/ops/random.ts (a test checks they agree).
import type { Program } from '../../src/schedule/kernel.ts';
import { visit, kernelExprs } from '../../src/schedule/walk.ts';

export function usesRandom(p: Program): boolean {
  let found = false;
  for (const s of p.steps) {
    if (s.kind === 'kernel') visit(kernelExprs(s.kernel), (e) => (found ||= e.k === 'rand'));
  }
  return found;
}

export const RANDOM_HELPERS = `
function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
function randBits(seed: number, counter: number, index: number): number {
  return pcgHash((seed ^ pcgHash((counter ^ pcgHash(index >>> 0)) >>> 0)) >>> 0);
}
function randUniform(seed: number, counter: number, index: number): number {
  return (randBits(seed, counter, index) >>> 8) / 16777216;
}
function randNormal(seed: number, counter: number, index: number): number {
  const h1 = pcgHash(randBits(seed, counter, index));
  const h2 = pcgHash(h1);
  const u1 = 1 - (h1 >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * ((h2 >>> 8) / 16777216));
}
`;
