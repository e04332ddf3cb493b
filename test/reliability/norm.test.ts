// Silent wrong results, norms: ‖g‖ = √(Σ g²) has an infinite derivative at g = 0, so anything
// differentiated through clip-by-norm at a zero gradient became NaN. The clip's norm has a safe
// derivative (0 at 0) and its exact value elsewhere.
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { evaluate } from '../../src/interp/interpret.ts';
import { clipByGlobalNorm, safeSqrt } from '../../src/nn/optim.ts';

describe('norms with a safe derivative at 0', () => {
  it('grad through clipByGlobalNorm at a zero gradient is finite; the value is exact', () => {
    const g = new Graph('clip0');
    const w = g.input('w', [3]);
    const [dw] = grad(B.sum(B.mul(w, w)), [w]); // 2w: zero at w = 0
    const { clipped, norm } = clipByGlobalNorm([dw!], 1);
    const outer = B.sum(B.mul(clipped[0]!, clipped[0]!)); // differentiated through the clip
    const [d2] = grad(outer, [w]);
    const [n0, g0] = evaluate(g, [norm, d2!], { w: [0, 0, 0] });
    expect([...n0!]).toEqual([0]);
    expect([...g0!].every(Number.isFinite)).toBe(true);
    expect([...g0!]).toEqual([0, 0, 0]);
    const [n1] = evaluate(g, [norm], { w: [3, 0, 4] });
    expect(n1![0]).toBeCloseTo(10, 12); // ‖2w‖ exactly
  });

  it('safeSqrt: value √s, derivative 1/(2√s) for s > 0 and 0 at s = 0', () => {
    const g = new Graph('sqrt0');
    const s = g.input('s', [3]);
    const y = safeSqrt(s);
    const [ds] = grad(B.sum(y), [s]);
    const [v, d] = evaluate(g, [y, ds!], { s: [0, 4, 0.25] });
    expect([...v!]).toEqual([0, 2, 0.5]);
    expect([...d!]).toEqual([0, 0.25, 1]);
  });
});
