// The seed network in miniature: a 2-3-1 sigmoid MLP with the quadratic cost, SGD on XOR.
// A model file for the CLI: `gradc inspect|compile|check|train examples/models/xor-mlp.ts`.
import type { Graph, Node } from '../../src/index.ts';
import type { ModelOptions, TrainSetup } from '../../src/cli/contract.ts';
import { dataset, dense, evalStep, quadraticCost, sgd, trainStep } from '../../src/nn/index.ts';

const spec = (batch: number) => ({
  name: 'xor_mlp',
  input: { shape: [batch, 2] },
  target: { shape: [batch, 1] },
  build: (x: Node) => dense(dense(x, 3, { activation: 'sigmoid' }), 1, { activation: 'sigmoid' }),
  loss: quadraticCost,
  optimizer: sgd(),
});

export default function xorMlp({ batch, mode }: ModelOptions): Graph {
  return mode === 'train' ? trainStep(spec(batch)) : evalStep(spec(batch));
}

const xor = dataset(
  new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]),
  new Float32Array([0, 1, 1, 0]),
  [2],
  [1],
);

export const train: TrainSetup = { data: xor, validation: xor, epochs: 200, batch: 4, lr: 2 };
