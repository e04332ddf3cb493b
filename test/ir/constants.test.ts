// Constants that JSON cannot tell apart (±∞, NaN, −0 vs 0) intern as distinct nodes and stay
// distinct through CSE, on the interpreter, the TypeScript target and the WGSL target.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Target } from '../../src/runtime/executable.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';

/** One graph holding every hard constant; each output's exact expected value (float32). */
/**
 * `ieeeZeros`: include the outputs that tell −0 from 0. Vulkan neither keeps the sign of zero nor
 * defines x / 0 (lavapipe stores +0 for every −0, even −x·0), so WGSL checks those in its text.
 */
function hardConstants(ieeeZeros: boolean) {
  const g = new Graph('hard_constants');
  const x = g.input('x', [4]);
  const want: Record<string, number[]> = {};
  const out = (name: string, n: ReturnType<typeof x.add>, values: number[]) => {
    g.output(name, n.named(name)); // named: WGSL's buffer names, for the text test
    want[name] = values.map((v) => Math.fround(v));
  };
  const xs = [1, 2, 0.5, 4];
  // With JSON keys, ∞ and −∞ were one node: min(x, ∞) then returned −∞.
  out('min_inf', B.minimum(x, Infinity), xs);
  out('max_neg_inf', B.maximum(x, -Infinity), xs);
  out(
    'add_inf',
    x.add(Infinity),
    xs.map(() => Infinity),
  );
  out(
    'add_neg_inf',
    x.add(-Infinity),
    xs.map(() => -Infinity),
  );
  out(
    'add_nan',
    x.add(NaN),
    xs.map(() => NaN),
  );
  if (ieeeZeros) {
    // Same-shape outputs share one fused kernel, so the CSE keys of 0 and −0 must differ too.
    const pos = x.gt(0);
    out(
      'sel_zero',
      B.where(pos, B.constant(g, 0, [4]), x),
      xs.map(() => 0),
    );
    out(
      'sel_neg_zero',
      B.where(pos, B.constant(g, -0, [4]), x),
      xs.map(() => -0),
    );
    out(
      'neg_zero',
      B.constant(g, -0, [4]),
      xs.map(() => -0),
    );
    // x / +0 is +∞ and x / −0 is −∞ for x > 0.
    out(
      'div_zero',
      x.div(0),
      xs.map(() => Infinity),
    );
    out(
      'div_neg_zero',
      x.div(-0),
      xs.map(() => -Infinity),
    );
  }
  out(
    'big',
    x.mul(1e30),
    xs.map((v) => v * 1e30),
  );
  out(
    'small',
    x.mul(1e-30),
    xs.map((v) => v * 1e-30),
  );
  out(
    'near_one',
    x.mul(1.0000001),
    xs.map((v) => v * 1.0000001),
  );
  return { g, feeds: { x: xs }, want };
}

/** Exact where the value is special (±∞, NaN, ±0, by Object.is); within 1e-6 relative elsewhere. */
function expectSame(got: ArrayLike<number>, want: readonly number[], what: string) {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => {
    const a = got[i]!;
    if (Number.isNaN(w)) expect(a, `${what}[${i}]`).toBeNaN();
    else if (!Number.isFinite(w) || w === 0)
      expect(a, `${what}[${i}]`).toBe(w); // toBe: Object.is
    else expect(Math.abs(a - w) / Math.abs(w), `${what}[${i}]: ${a} vs ${w}`).toBeLessThan(1e-6);
  });
}

describe('hard constants intern as distinct nodes', () => {
  it('∞, −∞, NaN, 0 and −0 of one shape are five nodes', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const consts = [Infinity, -Infinity, NaN, 0, -0, 1e30, 1e-30].map((v) => x.add(v).inputs[1]!);
    expect(new Set(consts).size).toBe(consts.length);
    // And the same value twice is still one node.
    expect(x.add(NaN).inputs[1]).toBe(consts[2]);
    expect(x.add(-0).inputs[1]).toBe(consts[4]);
  });
});

const adapter = await hasAdapter();
const targets: Target[] = ['interp', 'ts', ...(adapter ? (['wgsl'] as const) : [])];
if (!adapter) console.warn('\n*** constants test: WGSL NOT RUN (no WebGPU adapter) ***\n');

describe.each(targets)('hard constants on %s', (target) => {
  it('every output is exact', async () => {
    const { g, feeds, want } = hardConstants(target !== 'wgsl');
    const exe = await compile(g, { target });
    try {
      const got = await exe.run(feeds);
      for (const [name, values] of Object.entries(want)) expectSame(got[name]!, values, name);
    } finally {
      exe.dispose();
    }
  });
});

describe.runIf(adapter)('hard constants in WGSL text', () => {
  it('0 and −0 stay distinct literals in one fused kernel', async () => {
    const { emitWgsl } = await import('../../src/pipeline.ts');
    // Few outputs, so each buffer is bound alone (by name) rather than inside an arena.
    const g = new Graph('zeros');
    const x = g.input('x', [4]);
    const pos = x.gt(0);
    g.output('a', B.where(pos, B.constant(g, 0, [4]), x).named('sel_zero'));
    g.output('b', B.where(pos, B.constant(g, -0, [4]), x).named('sel_neg_zero'));
    g.output('c', x.div(-0).named('div_neg_zero'));
    const { wgsl } = await emitWgsl(g, { format: false });
    expect(wgsl).toMatch(/sel_zero\[gi\] = select\(\w+, 0f, \w+\);/);
    expect(wgsl).toMatch(/sel_neg_zero\[gi\] = select\(\w+, \(-0f\), \w+\);/);
    expect(wgsl).toMatch(/div_neg_zero\[gi\] = \(\w+ \/ \(-0f\)\);/);
  });
});
