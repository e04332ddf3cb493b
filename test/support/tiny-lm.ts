// The tiny language model that the `run` tests train and evaluate (test/nn/run-outputs.test.ts,
// test/codegen/module-run.test.ts): embedding → layer norm → dense, AdamW with global-norm
// clipping and per-param gradient norms, so its step has outputs that need gradients.
import { mulberry32 } from '../../src/ir/init.ts';
import type { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { dense, embedding } from '../../src/nn/layers.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import { layerNorm } from '../../src/nn/norm.ts';
import { adamw } from '../../src/nn/optim.ts';
import { trainStep } from '../../src/nn/train.ts';

const [BATCH, T, V, D] = [2, 3, 5, 4];

export const tinyLm = (): Graph =>
  trainStep({
    name: 'tiny_lm',
    input: { shape: [BATCH, T], dtype: 'i32' },
    target: { shape: [BATCH, T], dtype: 'i32' },
    build: (x: Node) => {
      const h = layerNorm(embedding(x, V, D, { name: 'tok' }), { name: 'ln' });
      return dense(h, V, { name: 'out' });
    },
    loss: sparseCrossEntropy,
    optimizer: adamw({ weightDecay: 0.1 }),
    clipNorm: 1,
    gradStats: true,
  });

/** Token ids for the model's input or target, from `seed`. */
export const tokenIds = (seed: number): Int32Array => {
  const r = mulberry32(seed);
  return Int32Array.from({ length: BATCH * T }, () => Math.floor(r() * V));
};
