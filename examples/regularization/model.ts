// One network, four regularizers: a 784 → 256 ReLU → 10 classifier (enough capacity to memorize
// a small training set) trained plainly, with an L1 penalty λ‖W‖₁, with an L2 penalty ½λ‖W‖², or
// with dropout on the hidden layer. The penalties are graph terms added to the loss (so their
// gradients λ·sign(W) and λW come from the same symbolic grad); dropout is a train-mode mask.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { nn } from '../../src/index.ts';

export type Regularizer = 'none' | 'l1' | 'l2' | 'dropout';
export const REGULARIZERS: readonly Regularizer[] = ['none', 'l1', 'l2', 'dropout'];

/** Strengths, chosen on the 1,000-digit subset (README): each visibly narrows the gap. */
export const L1 = 1e-4;
export const L2 = 1e-3;
export const DROPOUT = 0.5;
export const HIDDEN = 256;
export const BATCH = 50;

/** The strength of each regularizer (the constants above by default). */
export interface Strengths {
  readonly l1: number;
  readonly l2: number;
  readonly dropout: number;
}
export const STRENGTHS: Strengths = { l1: L1, l2: L2, dropout: DROPOUT };

function build(r: Regularizer, s: Strengths) {
  return (x: Node, mode: nn.Mode): Node => {
    let h = nn.dense(x, HIDDEN, { name: 'dense1', activation: 'relu', init: nn.heNormal });
    if (r === 'dropout') h = nn.dropout(h, s.dropout, mode);
    return nn.dense(h, nn.MNIST_CLASSES, { name: 'dense2' });
  };
}

function penalty(r: Regularizer, s: Strengths): ((g: Graph) => Node) | undefined {
  if (r === 'l1') return (g) => nn.l1Penalty(nn.weightsOf(g), s.l1);
  if (r === 'l2') return (g) => nn.l2Penalty(nn.weightsOf(g), s.l2);
  return undefined;
}

/** The training step (loss = cross-entropy + penalty) or the inference graph of a variant. */
export function regularized(r: Regularizer, s: Strengths = STRENGTHS) {
  return ({ batch = BATCH, mode = 'train' }: Partial<ModelOptions>): Graph => {
    const spec = {
      name: `mnist_${r}`,
      input: { shape: [batch, nn.MNIST_PIXELS] },
      build: build(r, s),
    };
    if (mode !== 'train') return nn.evalStep(spec);
    return nn.trainStep({
      ...spec,
      target: { shape: [batch], dtype: 'i32' as const },
      loss: nn.sparseCrossEntropy,
      optimizer: nn.adam(),
      penalty: penalty(r, s),
    });
  };
}
