// Linear regression: ŷ = w·x + b with one weight and one bias, the quadratic (mean squared)
// loss, plain SGD; and the seeded data y = 3x + 0.5 + noise it should recover.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { init, nn } from '../../src/index.ts';

export const TRUE_W = 3;
export const TRUE_B = 0.5;
export const BATCH = 20;

const spec = (batch: number) => ({
  name: 'linear_regression',
  input: { shape: [batch, 1] },
  target: { shape: [batch, 1] },
  build: (x: Node) => nn.linear(x, 1, { name: 'line', init: nn.zeros }),
  loss: nn.mse,
  optimizer: nn.sgd(),
});

/** The SGD step (mode 'train') or the prediction graph with its loss. */
export default function linearRegression(opts: Partial<ModelOptions> = {}): Graph {
  const batch = opts.batch ?? BATCH;
  return opts.mode === 'train' ? nn.trainStep(spec(batch)) : nn.evalStep(spec(batch));
}

/** n points with x ~ U(−1, 1) and y = TRUE_W·x + TRUE_B + N(0, noise²), seeded. */
export function lineData(n: number, seed = 0, noise = 0.02): nn.Dataset {
  const rand = init.mulberry32(seed);
  const gauss = init.normalSampler(rand);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 2 * rand() - 1;
    y[i] = TRUE_W * x[i]! + TRUE_B + noise * gauss();
  }
  return nn.dataset(x, y, [1], [1]);
}
