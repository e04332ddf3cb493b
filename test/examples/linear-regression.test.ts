// examples/linear-regression: SGD recovers the generating weight and bias to within 1e-2, and the
// loss falls at least 100-fold from the first epoch to the last.
import { expect } from 'vitest';
import { TRUE_B, TRUE_W } from '../../examples/linear-regression/model.ts';
import { trainLine } from '../../examples/linear-regression/train.ts';
import { testOnTargets } from './targets.ts';

testOnTargets('linear regression converges to w = 3, b = 0.5', async (target) => {
  const r = await trainLine({ target, epochs: 20, lr: 0.1, samples: 400, seed: 0, log: () => {} });
  expect(Math.abs(r.w - TRUE_W)).toBeLessThan(1e-2);
  expect(Math.abs(r.b - TRUE_B)).toBeLessThan(1e-2);
  expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 100);
});
