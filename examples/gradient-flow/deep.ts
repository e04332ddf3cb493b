// The same deep network (10 hidden layers × 32 units on MNIST) in four variants: sigmoid, ReLU,
// ReLU with residual connections, and ReLU with batch norm — each step also outputs every
// layer's gradient norm (trainStep's gradStats), to watch gradients vanish and the remedies work.
import type { Graph, Node } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';

export type Variant = 'sigmoid' | 'relu' | 'residual' | 'batchnorm';
export const VARIANTS: readonly Variant[] = ['sigmoid', 'relu', 'residual', 'batchnorm'];
export const DEPTH = 10;
export const WIDTH = 32;

function hidden(h: Node, i: number, v: Variant, mode: nn.Mode): Node {
  const name = `layer${i}`;
  if (v === 'sigmoid') return nn.dense(h, WIDTH, { name, activation: 'sigmoid' });
  const init = nn.heNormal;
  if (v === 'relu') return nn.dense(h, WIDTH, { name, activation: 'relu', init });
  if (v === 'batchnorm') {
    const z = nn.dense(h, WIDTH, { name, init });
    return nn.batchNorm(z, mode, { name: `${name}.bn` }).relu();
  }
  // The first layer changes the width (784 → 32); the rest are blocks x + relu(x·W + b), whose
  // branches start small (Xavier, not He) so that ten sums do not blow the activations up.
  if (i === 1) return nn.dense(h, WIDTH, { name, activation: 'relu', init });
  return nn.residual(h, (x) => nn.dense(x, WIDTH, { name, activation: 'relu' }));
}

function build(v: Variant) {
  return (x: Node, mode: nn.Mode): Node => {
    let h = x;
    for (let i = 1; i <= DEPTH; i++) h = hidden(h, i, v, mode);
    return nn.dense(h, nn.MNIST_CLASSES, { name: 'out' });
  };
}

const spec = (v: Variant, batch: number) => ({
  name: `deep_${v}`,
  input: { shape: [batch, nn.MNIST_PIXELS] },
  target: { shape: [batch], dtype: 'i32' as const },
  build: build(v),
  loss: nn.sparseCrossEntropy,
  optimizer: nn.sgd(),
  gradStats: true,
});

/** The training step (with gradient-norm outputs) or the inference graph of a variant. */
export function deepNet(v: Variant, mode: 'train' | 'infer', batch = 32): Graph {
  return mode === 'train' ? nn.trainStep(spec(v, batch)) : nn.evalStep(spec(v, batch));
}

/** The weight matrices whose gradient norms are drawn: layer1.W … layer10.W. */
export const LAYER_WEIGHTS = Array.from({ length: DEPTH }, (_, i) => `layer${i + 1}.W`);
