// The same deep network (10 hidden layers × 32 units on MNIST) in four variants: sigmoid, ReLU,
// ReLU with residual connections, and ReLU with batch norm — each step also outputs every
// layer's gradient norm (trainStep's gradStats), to watch gradients vanish and the remedies work.
import type { Graph, Node } from '../../src/index.ts';
import { normal } from '../../src/ir/init.ts';
import { nn } from '../../src/node/index.ts';

export type Variant = 'sigmoid' | 'relu' | 'residual' | 'batchnorm';
export const VARIANTS: readonly Variant[] = ['sigmoid', 'relu', 'residual', 'batchnorm'];
export const DEPTH = 10;
export const WIDTH = 32;

function hidden(h: Node, i: number, v: Variant, mode: nn.Mode, branch: nn.Initializer): Node {
  const name = `layer${i}`;
  if (v === 'sigmoid') return nn.dense(h, WIDTH, { name, activation: 'sigmoid' });
  const init = nn.heNormal;
  if (v === 'relu') return nn.dense(h, WIDTH, { name, activation: 'relu', init });
  if (v === 'batchnorm') {
    const z = nn.dense(h, WIDTH, { name, init });
    return nn.batchNorm(z, mode, { name: `${name}.bn` }).relu();
  }
  // The first layer changes the width (784 → 32); the rest are blocks x + relu(x·W + b). Each
  // block adds its branch to the stream: with He init (Var W = 2/fanIn) a branch is as large as
  // the stream, so nine blocks grow its RMS ~60× at init (Xavier: ~25×), and training stalls.
  // He scaled by 1/(number of blocks) keeps the growth to ~4× (ReLU outputs are positive, so
  // their means add up) while every branch starts alive (a zero W would give relu'(0) = 0 and
  // no gradient would ever reach it). Measured in test/examples/gradient-flow.test.ts.
  if (i === 1) return nn.dense(h, WIDTH, { name, activation: 'relu', init });
  const block = (x: Node) => nn.dense(x, WIDTH, { name, activation: 'relu', init: branch });
  return nn.residual(h, block).named(`${name}.out`);
}

/** He-normal scaled down by the number of residual blocks (see hidden()). */
export const branchInit: nn.Initializer = ({ fanIn }) => normal(Math.sqrt(2 / fanIn / (DEPTH - 1)));

function build(v: Variant, branch: nn.Initializer) {
  return (x: Node, mode: nn.Mode): Node => {
    let h = x;
    for (let i = 1; i <= DEPTH; i++) h = hidden(h, i, v, mode, branch);
    return nn.dense(h, nn.MNIST_CLASSES, { name: 'out' });
  };
}

const spec = (v: Variant, batch: number, branch: nn.Initializer) => ({
  name: `deep_${v}`,
  input: { shape: [batch, nn.MNIST_PIXELS] },
  target: { shape: [batch], dtype: 'i32' as const },
  build: build(v, branch),
  loss: nn.sparseCrossEntropy,
  optimizer: nn.sgd(),
  gradStats: true,
});

/**
 * The training step (with gradient-norm outputs) or the inference graph of a variant; `branch`
 * initializes the residual blocks' weights (the lab's choice by default, see hidden()).
 */
export function deepNet(
  v: Variant,
  mode: 'train' | 'infer',
  batch = 32,
  branch: nn.Initializer = branchInit,
): Graph {
  const s = spec(v, batch, branch);
  return mode === 'train' ? nn.trainStep(s) : nn.evalStep(s);
}

/** The weight matrices whose gradient norms are drawn: layer1.W … layer10.W. */
export const LAYER_WEIGHTS = Array.from({ length: DEPTH }, (_, i) => `layer${i + 1}.W`);
