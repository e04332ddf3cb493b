// Scalar helper functions emitted into generated modules whose kernels call them (Math lacks erf
// and a round-half-to-even). Only the helpers used are emitted.
import type { Program } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { kernelExprs, visit } from '../../src/schedule/walk.ts';
import { UN_HELPER } from './expr.ts';

/** Each helper's text, given its one type annotation (`: number`, or '' for JavaScript). */
const TEXT: Readonly<Record<string, (n: string) => string>> = {
  // Taylor series near 0; beyond, 1 − erfc with Numerical Recipes' Chebyshev fit (|rel| < 1.2e-7).
  erf: (n) => `
function erf(x${n})${n} {
  const a = Math.abs(x);
  if (a < 0.5) {
    const z = x * x;
    const s = -0.0238095238 + z * (0.0046296296 + z * (-0.00075757576 + z * 0.00010683761));
    return 1.1283791670955126 * x * (1 + z * (-0.3333333333 + z * (0.1 + z * s)));
  }
  const t = 1 / (1 + 0.5 * a);
  const p = 0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)));
  const q = 1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * p)));
  const r = t * Math.exp(-a * a - 1.26551223 + t * q);
  return Math.sign(x) * (1 - r);
}`,
  roundEven: (n) => `
function roundEven(x${n})${n} {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}`,
};

/** Names the helpers declare (never given to buffers or kernels). */
export const SCALAR_HELPER_NAMES = Object.keys(TEXT);

/** The helper functions the program's kernels call ('' when none). */
export function scalarHelpers(p: Program, lang: 'ts' | 'js' = 'ts'): string {
  const used = new Set<string>();
  for (const k of kernelsOf(p)) {
    visit(kernelExprs(k), (e) => {
      const h = e.k === 'un' ? UN_HELPER[e.op] : undefined;
      if (h) used.add(h);
    });
  }
  return Object.keys(TEXT)
    .filter((k) => used.has(k))
    .map((k) => TEXT[k]!(lang === 'ts' ? ': number' : ''))
    .join('');
}
