// examples/keras-mlp, small: 2,000 training digits for 2 epochs reach > 85% on 500 held-out
// digits; the softmax output of the infer graph is a distribution.
import { expect, test } from 'vitest';
import kerasMlp from '../../examples/keras-mlp/model.ts';
import { trainKerasMlp } from '../../examples/keras-mlp/train.ts';
import { compile } from '../../src/index.ts';
import { testOnTargets } from './targets.ts';

testOnTargets('keras-mlp (2,000 digits, 2 epochs): > 85% held-out accuracy', async (target) => {
  const split = { train: 2000, test: 500 };
  const r = await trainKerasMlp({ target, epochs: 2, lr: 1e-3, seed: 0, log: null, ...split });
  expect(r.accuracy).toBeGreaterThan(0.85);
  expect(r.history[1]!.loss).toBeLessThan(r.history[0]!.loss);
});

test('keras-mlp infer graph: probs rows sum to 1', async () => {
  const exe = await compile(kerasMlp({ mode: 'infer', batch: 2 }), { target: 'ts' });
  const out = await exe.run({ x: new Float32Array(2 * 784).fill(0.5), y: [3, 7] });
  const probs = out['probs']!;
  expect(probs.length).toBe(20);
  expect([...probs.slice(0, 10)].reduce((a, b) => a + b)).toBeCloseTo(1, 5);
});
