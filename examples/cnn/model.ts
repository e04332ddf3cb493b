// A small CNN for MNIST: 28×28 → conv 8@3×3 ReLU → 2×2 max pool → flatten → dense 10 logits,
// sparse cross-entropy, Adam. Conv2d is im2col (strided-slice views) plus one matmul.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph, Node } from '../../src/index.ts';
import { nn, reshape } from '../../src/index.ts';

export const BATCH = 32;
export const CHANNELS = 8;

/** x [batch, 784] (flat digits, as the MNIST dataset stores them) → logits [batch, 10]. */
function build(x: Node): Node {
  const img = reshape(x, [x.shape[0]!, 1, 28, 28]).named('image');
  const c = nn.conv2d(img, CHANNELS, 3, { name: 'conv1', activation: 'relu', init: nn.heNormal });
  const p = nn.maxPool(c, 2).named('pool1');
  return nn.dense(nn.flatten(p), nn.MNIST_CLASSES, { name: 'dense1' });
}

const spec = (batch: number) => ({
  name: 'mnist_cnn',
  input: { shape: [batch, nn.MNIST_PIXELS] },
  target: { shape: [batch], dtype: 'i32' as const },
  build,
  loss: nn.sparseCrossEntropy,
  optimizer: nn.adam(),
});

/** The Adam step (mode 'train'), or the logits and loss (mode 'infer'). */
export default function mnistCnn(opts: Partial<ModelOptions> = {}): Graph {
  const batch = opts.batch ?? BATCH;
  return opts.mode === 'train' ? nn.trainStep(spec(batch)) : nn.evalStep(spec(batch));
}
