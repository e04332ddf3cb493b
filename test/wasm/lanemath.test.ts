// The f32x4 transcendentals (codegen/wasm/lanemath.ts) against Math, over the whole float32 range:
// a sweep of bit patterns (every sign and exponent, many mantissas), the special values, and the
// edges where exp overflows and underflows. Error bound: 4 float32 ulps of the correctly rounded
// result for normal results; below the smallest normal (2^−126), an absolute 2^−126.
import { describe, expect, it } from 'vitest';
import { FuncBuilder, ModuleBuilder, OP } from '../../codegen/wasm/encoder.ts';
import { LANE_MATH, laneMath } from '../../codegen/wasm/lanemath.ts';
import type { LaneMath } from '../../codegen/wasm/lanemath.ts';
import { erf64 } from '../../src/ops/scalar.ts';

const REF: Record<LaneMath, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  erf: erf64,
};

/** Run `op` over `xs` (length a multiple of 4) in wasm, four lanes at a time. */
function runLanes(op: LaneMath, xs: Float32Array, calls = { n: 0 }): Float32Array {
  const pages = Math.ceil((xs.length * 4 + 16) / 65536);
  const m = new ModuleBuilder(pages);
  const math = { params: ['f64'], results: ['f64'] } as const;
  const fns = { sin: m.importFunc('sin', math), cos: m.importFunc('cos', math) };
  const f = new FuncBuilder([]);
  const at = f.local('i32');
  f.i32(16).set(at);
  f.op(OP.loop, 0x40);
  f.get(at).get(at).v128Load();
  laneMath(f, op, (name) => fns[name]);
  f.v128Store();
  f.get(at)
    .i32(16)
    .op(OP.i32_add)
    .tee(at)
    .i32(16 + xs.length * 4)
    .op(OP.i32_lt_s)
    .op(OP.br_if, 0);
  f.op(OP.end);
  m.func('f', { params: [], results: [] }, f);
  const counted = (fn: (x: number) => number) => (x: number) => (calls.n++, fn(x));
  const memory = new WebAssembly.Memory({ initial: pages });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), {
    env: { memory, sin: counted(Math.sin), cos: counted(Math.cos) },
  });
  new Float32Array(memory.buffer, 16, xs.length).set(xs);
  (inst.exports['f'] as () => void)();
  return new Float32Array(memory.buffer, 16, xs.length).slice();
}

/** Float32 values from bit patterns across the whole range, plus the special and edge values. */
function sweep(): Float32Array {
  const bits = new Uint32Array(1 << 17);
  for (let i = 0; i < bits.length; i++) bits[i] = Math.imul(i, 32771) >>> 0;
  const edges = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1.17549435e-38, 88.72, 88.73];
  edges.push(89, -87.3, -103.9, -104, -150, 0.625, -0.625, 0.6249, 1e-7, -1e-7, 20, -20, 9, -9);
  const xs = new Float32Array(bits.buffer);
  const out = new Float32Array(Math.ceil((xs.length + edges.length) / 4) * 4);
  out.set(xs);
  out.set(edges, xs.length);
  // Sorted by magnitude, so that each group of four lanes holds values of one size (sin and cos
  // compute a whole group by Math when one lane is beyond their reduction's range).
  return out.sort((a, b) => Math.abs(a) - Math.abs(b) || (Number.isNaN(a) ? 1 : -1));
}

const ulp = (v: number) => {
  const a = Math.abs(Math.fround(v));
  if (a === 0 || !Number.isFinite(a)) return 0;
  const e = Math.floor(Math.log2(a));
  return 2 ** (Math.max(e, -126) - 23);
};

describe('f32x4 transcendentals', () => {
  const xs = sweep();
  for (const op of LANE_MATH) {
    it(`${op} is within 4 ulps of Math (2^−126 absolute below the normals), specials exact`, () => {
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
        const bound = Math.abs(want) < 2 ** -126 ? 2 ** -126 : 4 * ulp(want);
        if (!(err <= bound)) expect.fail(`${op}(${xs[i]}) = ${g}, want ${want} (err ${err})`);
        if (Math.abs(want) >= 2 ** -126) worst = Math.max(worst, err / ulp(want));
        checked++;
      }
      expect(checked).toBeGreaterThan(50_000);
      expect(worst).toBeLessThanOrEqual(4);
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
