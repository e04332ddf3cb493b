// The f32x4 transcendentals (codegen/wasm/lanemath.ts) against Math, over the whole float32 range:
// a sweep of bit patterns (every sign and exponent, many mantissas), the special values, and the
// edges where exp overflows and underflows, and the domain edges of the inverse functions. Error
// bound: 4 float32 ulps of the correctly rounded result for normal results (1 ulp for the
// float64-lane functions of lanewide.ts); below the smallest normal (2^−126), an absolute 2^−126.
import { describe, expect, it } from 'vitest';
import { LANE_MATH } from '../../codegen/wasm/lanemath.ts';
import type { LaneMath } from '../../codegen/wasm/lanemath.ts';
import { WIDE_MATH } from '../../codegen/wasm/widemath.ts';
import { erf64 } from '../../src/ops/scalar.ts';
import { runLanes, ulp } from './lanes-harness.ts';

const REF: Record<LaneMath, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  erf: erf64,
  log1p: Math.log1p,
  expm1: Math.expm1,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  atanh: Math.atanh,
};
/** The float64-lane functions (lanewide.ts) round once from ~1e−15: within 1 ulp (0 measured). */
const bound = (op: LaneMath) => ((WIDE_MATH as readonly string[]).includes(op) ? 1 : 4);

/** Float32 values from bit patterns across the whole range, plus the special and edge values. */
function sweep(): Float32Array {
  const bits = new Uint32Array(1 << 17);
  for (let i = 0; i < bits.length; i++) bits[i] = Math.imul(i, 32771) >>> 0;
  const edges = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1.17549435e-38, 88.72, 88.73];
  edges.push(89, -87.3, -103.9, -104, -150, 0.625, -0.625, 0.6249, 1e-7, -1e-7, 20, -20, 9, -9);
  edges.push(
    1,
    -1,
    1.0000001,
    -1.0000001,
    0.99999994,
    -0.99999994,
    1.5707963,
    -1.5707964,
    4.712389,
  );
  const xs = new Float32Array(bits.buffer);
  const out = new Float32Array(Math.ceil((xs.length + edges.length) / 4) * 4);
  out.set(xs);
  out.set(edges, xs.length);
  // Sorted by magnitude, so that each group of four lanes holds values of one size (sin and cos
  // compute a whole group by Math when one lane is beyond their reduction's range).
  return out.sort((a, b) => Math.abs(a) - Math.abs(b) || (Number.isNaN(a) ? 1 : -1));
}

describe('f32x4 transcendentals', () => {
  const xs = sweep();
  for (const op of LANE_MATH) {
    it(`${op} is within ${bound(op)} ulp(s) of Math (2^−126 absolute below the normals), specials exact`, () => {
      const got = runLanes(op, xs);
      let worst = 0;
      let checked = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = Math.fround(REF[op](xs[i]!));
        const g = got[i]!;
        if (Number.isNaN(want) || !Number.isFinite(want)) {
          expect(Object.is(g, want), `${op}(${xs[i]}) = ${g}, want ${want}`).toBe(true);
          continue;
        }
        const err = Math.abs(g - want);
        const tol = Math.abs(want) < 2 ** -126 ? 2 ** -126 : bound(op) * ulp(want);
        if (!(err <= tol)) expect.fail(`${op}(${xs[i]}) = ${g}, want ${want} (err ${err})`);
        if (Math.abs(want) >= 2 ** -126) worst = Math.max(worst, err / ulp(want));
        checked++;
      }
      expect(checked).toBeGreaterThan(50_000);
      expect(worst).toBeLessThanOrEqual(bound(op));
    });
  }

  it('keeps the sign of zero and saturates at the ends', () => {
    const got = runLanes('tanh', new Float32Array([-0, 0, -Infinity, Infinity]));
    expect([Object.is(got[0], -0), Object.is(got[1], 0), got[2], got[3]]).toEqual([
      true,
      true,
      -1,
      1,
    ]);
    const e = runLanes('exp', new Float32Array([-Infinity, Infinity, 88.8, -200]));
    expect([...e]).toEqual([0, Infinity, Infinity, 0]);
    const s = runLanes('sigmoid', new Float32Array([-Infinity, Infinity, 0, -200]));
    expect([...s]).toEqual([0, 1, 0.5, 0]);
  });

  it('sin and cos call Math only for a group of lanes holding a huge argument', () => {
    const calls = { n: 0 };
    const xs = new Float32Array([1e-3, -2, 3e4, 4e8, 5, 6, 7, 8]);
    const got0 = runLanes('sin', xs, calls);
    xs.forEach((x, i) =>
      expect(Math.abs(got0[i]! - Math.sin(x))).toBeLessThan(2 * ulp(Math.sin(x))),
    );
    expect(calls.n).toBe(0);
    const big = new Float32Array([1, 2, 3, 4, 5, -Infinity, 7, 1e30]);
    const got = runLanes('cos', big, calls);
    expect(calls.n).toBe(4); // the second group only
    expect(Object.is(got[5], NaN)).toBe(true);
    expect(got[7]).toBe(Math.fround(Math.cos(big[7]!)));
    expect(Object.is(runLanes('sin', new Float32Array([-0, 0, 0, 0]))[0], -0)).toBe(true);
  });
});
