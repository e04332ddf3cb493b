// The counter-based random helpers emitted into generated modules that draw random numbers.
// Same bits as src/ops/random.ts (a test checks they agree). Only the helpers used are emitted.
import type { RandDist } from '../../src/schedule/expr.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { visit, kernelExprs } from '../../src/schedule/walk.ts';

/** The distributions a program draws from. */
export function randomDists(p: Program): Set<RandDist> {
  const found = new Set<RandDist>();
  for (const k of kernelsOf(p)) visit(kernelExprs(k), (e) => e.k === 'rand' && found.add(e.dist));
  return found;
}

/** Each helper's text, given its one type annotation (`: number`, or '' for JavaScript). */
const BITS = (n: string) => `
function pcgHash(v${n})${n} {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
function randBits(seed${n}, counter${n}, index${n})${n} {
  return pcgHash((seed ^ pcgHash((counter ^ pcgHash(index >>> 0)) >>> 0)) >>> 0);
}`;

const UNIFORM = (n: string) => `
function randUniform(seed${n}, counter${n}, index${n})${n} {
  return (randBits(seed, counter, index) >>> 8) / 16777216;
}`;

const NORMAL = (n: string) => `
function randNormal(seed${n}, counter${n}, index${n})${n} {
  const h1 = pcgHash(randBits(seed, counter, index));
  const h2 = pcgHash(h1);
  const u1 = 1 - (h1 >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * ((h2 >>> 8) / 16777216));
}`;

/** The helper functions for the program's random draws ('' when it draws none). */
export function randomHelpers(p: Program, lang: 'ts' | 'js' = 'ts'): string {
  const dists = randomDists(p);
  if (dists.size === 0) return '';
  const n = lang === 'ts' ? ': number' : '';
  const text = [
    BITS(n),
    dists.has('uniform') ? UNIFORM(n) : '',
    dists.has('normal') ? NORMAL(n) : '',
  ];
  return text.join('');
}
