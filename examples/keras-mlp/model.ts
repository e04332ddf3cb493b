// Keras's MNIST starter network: 784 → 128 ReLU → 10 softmax, categorical cross-entropy from the
// logits with integer labels (sparse), Adam. The infer graph also outputs the softmax `probs`.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { nn } from '../../src/index.ts';

export const BATCH = 32;
export const HIDDEN = 128;

function build(x: Node): Node {
  const h = nn.dense(x, HIDDEN, { name: 'dense1', activation: 'relu', init: nn.heNormal });
  return nn.dense(h, nn.MNIST_CLASSES, { name: 'dense2' });
}

const spec = (batch: number) => ({
  name: 'keras_mlp',
  input: { shape: [batch, nn.MNIST_PIXELS] },
  target: { shape: [batch], dtype: 'i32' as const },
  build,
  loss: nn.sparseCrossEntropy,
  optimizer: nn.adam(),
});

/** The Adam step on the logits (mode 'train'), or logits, loss and softmax probabilities. */
export default function kerasMlp(opts: Partial<ModelOptions> = {}): Graph {
  const batch = opts.batch ?? BATCH;
  if (opts.mode === 'train') return nn.trainStep(spec(batch));
  const g = nn.evalStep(spec(batch));
  g.output('probs', nn.softmax(g.outputs.get('pred')!).named('probs'));
  return g;
}
