// The benchmark harness in quick mode, checked for correctness only (never timings): gradc's TS
// target against jax-js-wasm on W1 (tfjs's gradients do not load under vitest), W2 loss, W3 check.
import { describe, expect, test } from 'vitest';
import type { GradcW2Result } from '../../bench/gradc.ts';
import { runBench } from '../../bench/harness.ts';
import type { AnyResult, BenchOutcome } from '../../bench/harness.ts';
import { benchConfig } from '../../bench/peers/types.ts';
import type { W1Result, W3Result } from '../../bench/peers/types.ts';

const base = benchConfig(true);
// 1000 samples rather than 300: past the degenerate start (14.2%), so wrong updates would show.
const cfg = { ...base, w1: { ...base.w1, trainCount: 1000 }, w2: { ...base.w2, steps: 5 } };

function runsOf(o: BenchOutcome, w: 'W1' | 'W2' | 'W3', impl: string): AnyResult[] {
  const s = o.results[w].find((x) => x.impl === impl);
  expect(s, `${w} ${impl} ran`).toBeDefined();
  expect(s!.error ?? s!.unavailable).toBeUndefined();
  expect(s!.runs.length).toBe(1);
  return s!.runs;
}

describe('bench quick mode', () => {
  test('W1: gradc-ts trains to the same test accuracy as jax-js-wasm', async () => {
    const o = await runBench({
      cfg,
      workloads: ['W1'],
      only: ['gradc-ts', 'jax-js-wasm'],
      reps: 1,
    });
    const [ours] = runsOf(o, 'W1', 'gradc-ts') as W1Result[];
    const [peer] = runsOf(o, 'W1', 'jax-js-wasm') as W1Result[];
    expect(ours!.accuracy).toBeGreaterThan(0.15);
    expect(Math.abs(ours!.accuracy - peer!.accuracy)).toBeLessThanOrEqual(0.01);
  });

  test('W2: gradc-ts loss is finite and falls; W3: matmul checks pass', async () => {
    const o = await runBench({
      cfg,
      workloads: ['W2', 'W3'],
      only: ['gradc-ts', 'js-ikj'],
      reps: 1,
    });
    const [w2] = runsOf(o, 'W2', 'gradc-ts') as GradcW2Result[];
    expect(w2!.losses.every(Number.isFinite)).toBe(true);
    expect(w2!.losses[w2!.losses.length - 1]!).toBeLessThan(w2!.losses[0]!);
    for (const impl of ['gradc-ts', 'js-ikj']) {
      const [w3] = runsOf(o, 'W3', impl) as W3Result[];
      expect(w3!.check.ok, impl).toBe(true);
    }
  });
});
