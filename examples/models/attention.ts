// One self-attention layer, read as math by `gradc explain`: softmax(Q·Kᵀ/√d)·V and its backward
// pass. x [B, T, D] → single-head attention → mean over positions → dense → cross-entropy.
import type { Graph, Node } from '../../src/index.ts';
import type { ModelOptions } from '../../src/cli/contract.ts';
import { mean } from '../../src/builder/composite.ts';
import {
  adam,
  dense,
  evalStep,
  multiHeadAttention,
  sparseCrossEntropy,
  trainStep,
} from '../../src/nn/index.ts';

const spec = (batch: number) => ({
  name: 'attention',
  input: { shape: [batch, 6, 8] },
  target: { shape: [batch], dtype: 'i32' as const },
  build: (x: Node) => {
    const h = multiHeadAttention(x, { name: 'attn', heads: 1, causal: false });
    return dense(mean(h, 1), 3, { name: 'out' });
  },
  loss: sparseCrossEntropy,
  optimizer: adam(),
});

export default function attention({ batch, mode }: ModelOptions): Graph {
  return mode === 'train' ? trainStep(spec(batch)) : evalStep(spec(batch));
}
