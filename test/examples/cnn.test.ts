// examples/cnn, small: 2,000 training digits for 1 epoch reach > 80% on 500 held-out digits (the
// full run's accuracy and time are measured by train.ts, not here: minutes on 2 cores).
import { expect } from 'vitest';
import { trainCnn } from '../../examples/cnn/train.ts';
import { testOnTargets } from './targets.ts';

testOnTargets('cnn (2,000 digits, 1 epoch): > 80% held-out accuracy', async (target) => {
  const split = { train: 2000, test: 500 };
  const r = await trainCnn({ target, epochs: 1, lr: 2e-3, seed: 0, log: null, ...split });
  expect(r.accuracy).toBeGreaterThan(0.8);
});
