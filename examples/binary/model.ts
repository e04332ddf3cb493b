// Binary classification of two interleaving half-moons (generated, seeded): 2 → 16 tanh → 1
// sigmoid unit, binary cross-entropy on its probability, Adam.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { init, nn } from '../../src/index.ts';

export const BATCH = 16;

function build(x: Node): Node {
  const h = nn.dense(x, 16, { name: 'hidden', activation: 'tanh' });
  return nn.dense(h, 1, { name: 'out', activation: 'sigmoid' });
}

const spec = (batch: number) => ({
  name: 'two_moons',
  input: { shape: [batch, 2] },
  target: { shape: [batch, 1] },
  build,
  loss: nn.binaryCrossEntropy,
  optimizer: nn.adam(),
});

/** The Adam step (mode 'train') or the probability graph with its loss. */
export default function twoMoons(opts: Partial<ModelOptions> = {}): Graph {
  const batch = opts.batch ?? BATCH;
  return opts.mode === 'train' ? nn.trainStep(spec(batch)) : nn.evalStep(spec(batch));
}

/**
 * n points, half on the upper moon (label 0: (cos t, sin t)) and half on the lower one (label 1:
 * (1 − cos t, ½ − sin t)), t ~ U(0, π), plus N(0, noise²) jitter on each coordinate; seeded.
 */
export function moons(n: number, seed = 0, noise = 0.15): nn.Dataset {
  const rand = init.mulberry32(seed);
  const gauss = init.normalSampler(rand);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * rand();
    const lower = i % 2;
    x[2 * i] = (lower ? 1 - Math.cos(t) : Math.cos(t)) + noise * gauss();
    x[2 * i + 1] = (lower ? 0.5 - Math.sin(t) : Math.sin(t)) + noise * gauss();
    y[i] = lower;
  }
  return nn.dataset(x, y, [2], [1]);
}
