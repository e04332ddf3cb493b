// The float64-lane functions (codegen/wasm/lanewide.ts, widemath.ts) at the places the issue names:
// pow's whole special-value table and its sign and domain rules, log1p and expm1 near 0 (against
// the log(1 + x) and exp(x) − 1 a graph would otherwise compute on float32 lanes), tan near the
// poles, asin/acos at ±1 and out of their domain, atan at ±∞, and the sign of zero. Then the
// scalar wasm code of the same ops (Math imports), bitwise equal to the TS kernels.
import { describe, expect, it } from 'vitest';
import type { LaneMath } from '../../codegen/wasm/lanemath.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { vectorRefusal } from '../../codegen/wasm/vector.ts';
import { reduceLanes } from '../../codegen/wasm/vreduce.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { emitTs } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import type { ReduceKernel } from '../../src/schedule/kinds/reduce.ts';
import { runLanes, ulp } from './lanes-harness.ts';

const pad4 = (xs: readonly number[]) =>
  Float32Array.from({ length: Math.ceil(xs.length / 4) * 4 }, (_, i) => xs[i] ?? 0);
const run = (op: LaneMath, xs: readonly number[]) =>
  [...runLanes(op, pad4(xs))].slice(0, xs.length);
const pow = (as: readonly number[], bs: readonly number[]) =>
  [...runLanes('pow', pad4(as), { n: 0 }, pad4(bs))].slice(0, as.length);
/** Errors in ulps of the correctly rounded float32 result. */
const ulps = (got: readonly number[], want: readonly number[]) =>
  got.map((g, i) => Math.abs(g - Math.fround(want[i]!)) / ulp(want[i]!));

describe('pow on f32 lanes', () => {
  it('matches Math.pow exactly on every pair of special values', () => {
    const sp = [0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2.5, -2.5, Infinity, -Infinity, NaN];
    sp.push(1e-45, -1e-45, 3.4e38, -3.4e38, 16777215, -16777215, 16777216);
    const [as, bs] = [sp.flatMap((a) => sp.map(() => a)), sp.flatMap(() => sp)];
    const got = pow(as, bs);
    const wrong = as
      .map(
        (a, i) =>
          [a, bs[i]!, got[i]!, Math.fround(Math.pow(Math.fround(a), Math.fround(bs[i]!)))] as const,
      )
      .filter(([, , g, w]) => !Object.is(g, w));
    expect(wrong).toEqual([]);
    expect(got.filter(Number.isNaN).length).toBeGreaterThan(20); // it does produce NaN lanes
  });

  it('negative bases: NaN for non-integer exponents, the sign of odd integer ones', () => {
    const as = [-2, -2, -2, -8, -0.5, -3, -1, -7];
    const bs = [0.5, 3, 4, 1 / 3, -3, -2.5, 1e10, 5];
    const got = pow(as, bs);
    expect(got.map((g) => Object.is(g, NaN))).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(got.filter((g) => !Number.isNaN(g))).toEqual([-8, 16, -8, 1, -16807]);
    expect(pow([0, -0, NaN, Infinity], [0, -0, 0, 0])).toEqual([1, 1, 1, 1]);
  });

  it('is within 1 ulp of Math.pow over a dense sweep, and pow(x, ½) of √x', () => {
    let s = 7;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const as: number[] = [];
    const bs: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      as.push(Math.fround(2 ** ((rnd() - 0.5) * 200)) * (i % 3 ? 1 : -1));
      bs.push(i % 3 ? Math.fround((rnd() - 0.5) * 8) : Math.round((rnd() - 0.5) * 16));
    }
    const got = pow(as, bs);
    const want = as.map((a, i) => Math.pow(a, bs[i]!));
    const finite = ulps(got, want).filter((_, i) => Math.abs(Math.fround(want[i]!)) >= 2 ** -126);
    expect(finite.length).toBeGreaterThan(30_000);
    expect(Math.max(...finite.filter(Number.isFinite))).toBeLessThanOrEqual(1);
    const xs = Array.from({ length: 4000 }, (_, i) => Math.fround(1.37 ** (i / 20 - 100)));
    const roots = pow(
      xs,
      xs.map(() => 0.5),
    );
    expect(Math.max(...ulps(roots, xs.map(Math.sqrt)))).toBeLessThanOrEqual(1);
    // Math.pow's rules, not sqrt's: pow(−0, ½) = +0 and pow(−∞, ½) = ∞
    expect(pow([-0, -Infinity, -4, 4], [0.5, 0.5, 0.5, 0.5]).map(String)).toEqual([
      '0',
      'Infinity',
      'NaN',
      '2',
    ]);
  });
});

describe('log1p and expm1 near 0, tan near its poles, the inverse trig edges', () => {
  const tiny = Array.from(
    { length: 400 },
    (_, i) => Math.fround(10 ** (-30 + i / 16)) * (i % 2 ? -1 : 1),
  );

  it('log1p and expm1 stay within 1 ulp where log(1 + x) and exp(x) − 1 on f32 lanes do not', () => {
    const l1p = ulps(run('log1p', tiny), tiny.map(Math.log1p));
    const em1 = ulps(run('expm1', tiny), tiny.map(Math.expm1));
    expect(Math.max(...l1p, ...em1)).toBeLessThanOrEqual(1);
    const naiveLog = run(
      'log',
      tiny.map((x) => Math.fround(1 + x)),
    );
    const naiveExp = run('exp', tiny).map((e) => Math.fround(e - 1));
    expect(Math.max(...ulps(naiveLog, tiny.map(Math.log1p)))).toBeGreaterThan(1e6);
    expect(Math.max(...ulps(naiveExp, tiny.map(Math.expm1)))).toBeGreaterThan(1e6);
  });

  it('tan is within 1 ulp next to π/2 and its odd multiples (and exact at huge x via Math)', () => {
    const poles = [1, 3, 101, 1001, 100001].map((k) => (k * Math.PI) / 2);
    const near = poles.flatMap((p) => {
      const f = new Float32Array([p]);
      const bits = new Int32Array(f.buffer)[0]!;
      return [-3, -2, -1, 0, 1, 2, 3].map(
        (d) => new Float32Array(new Int32Array([bits + d]).buffer)[0]!,
      );
    });
    const xs = [...near, ...near.map((x) => -x)];
    expect(Math.max(...ulps(run('tan', xs), xs.map(Math.tan)))).toBeLessThanOrEqual(1);
    expect(Math.abs(run('tan', [Math.fround(Math.PI / 2)])[0]!)).toBeGreaterThan(1e7);
    const calls = { n: 0 };
    const got = runLanes('tan', new Float32Array([0.5, 1, 2, 3, 1e30, -Infinity, NaN, 3]), calls);
    expect(calls.n).toBe(4); // the group holding 1e30 only
    expect([got[4], got[5]]).toEqual([Math.fround(Math.tan(Math.fround(1e30))), NaN]);
  });

  it('asin/acos at ±1 and outside [−1, 1], atan at ±∞, and −0 kept', () => {
    const edge = [1, -1, 1.0000001, -1.0000001, 2, Infinity, -Infinity, NaN];
    const h = Math.fround(Math.PI / 2);
    expect(run('asin', edge)).toEqual([h, -h, NaN, NaN, NaN, NaN, NaN, NaN]);
    expect(run('acos', edge)).toEqual([0, Math.fround(Math.PI), NaN, NaN, NaN, NaN, NaN, NaN]);
    expect(run('atan', [Infinity, -Infinity, 1, -1])).toEqual([
      h,
      -h,
      Math.fround(Math.PI / 4),
      -Math.fround(Math.PI / 4),
    ]);
    expect(run('atanh', [1, -1, 1.0000001, -Infinity])).toEqual([Infinity, -Infinity, NaN, NaN]);
    expect(run('log1p', [-1, -1.0000001, Infinity, -Infinity])).toEqual([
      -Infinity,
      NaN,
      Infinity,
      NaN,
    ]);
    expect(run('expm1', [-Infinity, Infinity, 89, -200])).toEqual([-1, Infinity, Infinity, -1]);
    for (const op of ['log1p', 'expm1', 'tan', 'asin', 'atan', 'sinh', 'asinh', 'atanh'] as const) {
      expect(
        run(op, [-0, 0]).map((z) => Object.is(z, -0)),
        op,
      ).toEqual([true, false]);
    }
    expect(run('acos', [-0, 0])).toEqual([h, h]);
    expect(run('cosh', [-0, -Infinity, Infinity, NaN])).toEqual([1, Infinity, Infinity, NaN]);
    expect(run('asinh', [Infinity, -Infinity, 3.4e38, -3.4e38])).toEqual([
      Infinity,
      -Infinity,
      Math.fround(Math.asinh(3.4e38)),
      Math.fround(-Math.asinh(3.4e38)),
    ]);
  });
});

describe('scalar wasm code for the same ops (where the lanes refuse a kernel)', () => {
  it('calls Math and rounds as the TS kernel: bitwise equal on a 3×3 reduction', async () => {
    const g = new Graph('scalar');
    const x = g.input('x', [3, 3]);
    const ops = [B.log1p, B.expm1, B.tan, B.asin, B.acos, B.atan, B.sinh, B.cosh, B.asinh];
    ops.push(B.atanh, B.floor, B.ceil, B.round, B.trunc, B.sign);
    const terms = ops.map((op, i) => B.mul(op(x), i + 1));
    terms.push(B.pow(B.add(B.abs(x), 0.5), B.mul(x, 3)));
    g.output(
      'y',
      B.sum(
        terms.reduce((a, b) => B.add(a, b)),
        -1,
      ),
    );
    const { program } = await emitTs(g, { format: false });
    const buffer = (b: string) => program.buffers.find((z) => z.name === b)!;
    const reds = kernelsOf(program).filter((k): k is ReduceKernel => k.kind === 'reduce');
    expect(reds.map((k) => reduceLanes(k, buffer))).toEqual([null]); // rows of 3: scalar code
    const mod = renderWasm(program, 'all')!; // in wasm (before, log1p … kept the kernel in TS)
    expect(mod.kernels.size).toBe(reds.length);
    expect(mod.imports).toEqual(expect.arrayContaining(['log1p', 'tan', 'acos', 'atanh', 'pow']));
    const feeds = { x: Float32Array.from({ length: 9 }, (_, i) => Math.sin(i * 1.3) * 0.9 + 0.05) };
    const [w, t] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
    const [a, b] = await Promise.all([w.run(feeds), t.run(feeds)]);
    expect([...a['y']!]).toEqual([...b['y']!]);
    expect(a['y']!.every(Number.isFinite)).toBe(true);
  });
});

describe('rounding and sign on lanes', () => {
  it('match the TS kernels on ties, −0, NaN and ±∞ (round: ties to even)', async () => {
    const g = new Graph('rounding');
    const x = g.input('x', [4, 8]);
    const ops = { floor: B.floor, ceil: B.ceil, round: B.round, trunc: B.trunc, sign: B.sign };
    for (const [name, op] of Object.entries(ops)) g.output(name, op(x));
    const { program } = await emitTs(g, { format: false });
    const dtype = (n: string) => program.buffers.find((z) => z.name === n)!.dtype;
    const maps = kernelsOf(program).filter((k) => k.kind === 'map');
    expect(maps.map((k) => vectorRefusal(k as MapKernel, dtype))).toEqual([null]); // on lanes
    const special = [0.5, -0.5, 1.5, 2.5, -2.5, -0, 0, NaN, Infinity, -Infinity, 1e30, -1e-30];
    const xs = Float32Array.from({ length: 32 }, (_, i) => special[i] ?? (i - 20) * 0.75);
    const [w, t] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
    const [a, b] = await Promise.all([w.run({ x: xs }), t.run({ x: xs })]);
    for (const name of Object.keys(ops)) {
      const diff = [...b[name]!].filter((v, i) => !Object.is(a[name]![i], v));
      expect(diff, name).toEqual([]);
    }
    expect([...a['round']!].slice(0, 5)).toEqual([0, -0, 2, 2, -2]);
  });
});
