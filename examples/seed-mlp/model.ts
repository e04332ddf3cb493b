// The seed network of Nielsen's network.py: 784 → 30 → 10, sigmoid units, quadratic cost
// ½‖a − y‖² per sample, mini-batch SGD (batch 10, η = 3.0), standard-normal weights and biases.
import type { ModelOptions, TrainSetup } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';

export const BATCH = 10;
export const ETA = 3.0;

const normalInit = { init: nn.standardNormal, biasInit: nn.standardNormal };

/** x [batch, 784] → a2 [batch, 10]: two sigmoid layers. */
function build(x: Node): Node {
  const a1 = nn.dense(x, 30, { name: 'dense1', activation: 'sigmoid', ...normalInit });
  return nn.dense(a1, 10, { name: 'dense2', activation: 'sigmoid', ...normalInit });
}

const spec = (batch: number) => ({
  name: 'seed_mlp',
  input: { shape: [batch, nn.MNIST_PIXELS] },
  target: { shape: [batch, nn.MNIST_CLASSES] },
  build,
  loss: nn.quadraticCost,
  optimizer: nn.sgd(),
});

/** The training step (forward, backward, SGD update) or the inference graph (pred and loss). */
export default function seedMlp(opts: Partial<ModelOptions> = {}): Graph {
  const batch = opts.batch ?? BATCH;
  return opts.mode === 'train' ? nn.trainStep(spec(batch)) : nn.evalStep(spec(batch));
}

/** For `gradc train examples/seed-mlp/model.ts`: the same data and settings as train.ts. */
export const train: TrainSetup = {
  data: () => nn.mnistDataset(nn.loadMnistIdx({ validation: 0, test: 0 }).train, 'onehot'),
  validation: () => nn.mnistDataset(nn.loadMnistIdx({ train: 0, validation: 0 }).test, 'onehot'),
  epochs: 30,
  batch: BATCH,
  lr: ETA,
};
