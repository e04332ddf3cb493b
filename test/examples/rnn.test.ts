// examples/rnn, small: the per-time-step gradient norms ‖∂L/∂hₜ‖ that the compiled step outputs
// show both regimes of backpropagation through time — with recurrent gain 0.5 the gradient
// reaching h₁ is orders of magnitude below the one at h_T (vanishing), with gain 3 it is orders
// above (exploding) — and global-norm clipping bounds what an exploding step does to the weights.
import { expect, test } from 'vitest';
import { firstSymbolBatch, seqRandom, seqTrainStep, stateNames } from '../../examples/rnn/model.ts';
import { compile } from '../../src/index.ts';
import type { SeqConfig } from '../../examples/rnn/model.ts';
import { trainSeq } from '../../examples/rnn/train.ts';

const base = { cell: 'rnn' as const, steps: 8, symbols: 3, hidden: 16, batch: 8 };
const run = { iters: 2, lr: 0, seed: 0, target: 'ts' as const, test: 100 };

/** ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ at the first step. */
async function ratio(c: SeqConfig): Promise<number> {
  const r = await trainSeq(c, run);
  expect(r.stepNorms[0]!.length).toBe(c.steps);
  expect(r.stepNorms[0]!.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  return r.stepNorms[0]![0]! / r.stepNorms[0]![c.steps - 1]!;
}

test('vanishing at recurrent gain 0.5, exploding at gain 3', async () => {
  expect(await ratio({ ...base, gain: 0.5 })).toBeLessThan(1e-2);
  expect(await ratio({ ...base, gain: 3 })).toBeGreaterThan(10);
});

test('clipping: the raw global norm is above the clip, yet the weights move by ≤ lr·clip', async () => {
  const c: SeqConfig = { ...base, gain: 3, optimizer: 'sgd', clipNorm: 1 };
  const exe = await compile(seqTrainStep(c), { target: 'ts', seed: 0 });
  const before = Object.fromEntries(Object.entries(exe.params).map(([k, v]) => [k, v.slice()]));
  const { x, y } = firstSymbolBatch(seqRandom(0), c.batch, c.steps, c.symbols);
  const out = await exe.step({ x, y, lr: [0.5] });
  let moved = 0;
  for (const [k, v] of Object.entries(exe.params))
    v.forEach((e, i) => (moved += (e - before[k]![i]!) ** 2));
  expect(out['grad_norm']![0]!).toBeGreaterThan(1);
  expect(Math.sqrt(moved)).toBeLessThanOrEqual(0.5 * 1 * (1 + 1e-5));
  expect(Math.sqrt(moved)).toBeGreaterThan(0.5 * 0.99); // clipped to the norm, not below it
  exe.dispose();
});

test('the task: y is the first of T one-hot symbols', () => {
  const { x, y } = firstSymbolBatch(seqRandom(1), 4, 5, 3);
  expect(x.reduce((a, b) => a + b, 0)).toBe(4 * 5); // one symbol per step
  for (let b = 0; b < 4; b++) expect(x[b * 5 * 3 + y[b]!]).toBe(1);
  expect(stateNames({ ...base, steps: 3 })).toEqual(['rnn.h1', 'rnn.h2', 'rnn.h3']);
});
