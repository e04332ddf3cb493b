// examples/regularization, small: on the same data, steps and init, the L2 penalty leaves the
// weights with a smaller norm than plain training, and the L1 penalty leaves more of them at
// (nearly) zero; dropout trains through its train-mode mask and evaluates without it.
import { expect, test } from 'vitest';
import { trainRegularized } from '../../examples/regularization/train.ts';

const o = { train: 200, test: 200, epochs: 3, lr: 1e-3, seed: 0, target: 'ts' as const };
const l2norm = (w: Float32Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0));
const nearZero = (w: Float32Array) => w.filter((v) => Math.abs(v) < 1e-3).length / w.length;

test('L2 shrinks the weights, L1 zeroes more of them, dropout still learns', async () => {
  const none = await trainRegularized('none', o);
  const l2 = await trainRegularized('l2', o);
  const l1 = await trainRegularized('l1', o);
  expect(none.history.length).toBe(3);
  expect(none.trainAccuracy).toBeGreaterThan(0.6); // 200 digits: it fits them
  expect(l2norm(l2.weights[0]!)).toBeLessThan(l2norm(none.weights[0]!));
  expect(nearZero(l1.weights[0]!)).toBeGreaterThan(nearZero(none.weights[0]!));
  const drop = await trainRegularized('dropout', o);
  expect(drop.testAccuracy).toBeGreaterThan(0.3);
});
