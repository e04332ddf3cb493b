// An MNIST classifier from src/nn layers: 784 → 64 (relu, dropout) → 10 logits, trained with
// sparse cross-entropy and AdamW; the eval graph shares the train graph's param names.
import type { Graph, Node } from '../../src/index.ts';
import { nn } from '../../src/index.ts';

export const BATCH = 32;

function build(x: Node, mode: nn.Mode): Node {
  const h = nn.dense(x, 64, { name: 'dense1', activation: 'relu', init: nn.heNormal });
  return nn.dense(nn.dropout(h, 0.1, mode), 10, { name: 'dense2' });
}

export function trainGraph(): Graph {
  return nn.trainStep({
    name: 'mnist_train',
    input: { shape: [BATCH, nn.MNIST_PIXELS] },
    target: { shape: [BATCH], dtype: 'i32' },
    build,
    loss: nn.sparseCrossEntropy,
    optimizer: nn.adamw({ weightDecay: 1e-4 }),
    clipNorm: 5,
  });
}

export function evalGraph(batch = 100): Graph {
  return nn.evalStep({ name: 'mnist_eval', input: { shape: [batch, nn.MNIST_PIXELS] }, build });
}
