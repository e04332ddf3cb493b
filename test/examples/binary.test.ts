// examples/binary: the two-moons classifier (full size: 1,000 train points, 30 epochs) reaches
// ≥ 95% accuracy on 500 held-out points, and its loss falls at least 3-fold.
import { expect } from 'vitest';
import { trainMoons } from '../../examples/binary/train.ts';
import { testOnTargets } from './targets.ts';

testOnTargets('two moons: ≥ 95% held-out accuracy', async (target) => {
  const opts = { target, epochs: 30, lr: 0.01, train: 1000, test: 500, seed: 0, log: null };
  const r = await trainMoons(opts);
  expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
  expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0]!.loss / 3);
});
