// A dense layer with layer norm, read as math by `gradc explain`: LN's normalized form
// x̂ = (x − μ)/σ, γ ⊙ x̂ + β, and its gradient. x → dense → layer norm → ReLU → dense → CE.
import type { Graph, Node } from '../../src/index.ts';
import type { ModelOptions } from '../../src/cli/contract.ts';
import {
  dense,
  evalStep,
  layerNorm,
  sgd,
  sparseCrossEntropy,
  trainStep,
} from '../../src/nn/index.ts';

const spec = (batch: number) => ({
  name: 'layer_norm',
  input: { shape: [batch, 12] },
  target: { shape: [batch], dtype: 'i32' as const },
  build: (x: Node) => {
    const z = dense(x, 16, { name: 'dense1' });
    const a = layerNorm(z, { name: 'ln' }).relu().named('ln.a');
    return dense(a, 3, { name: 'out' });
  },
  loss: sparseCrossEntropy,
  optimizer: sgd(),
});

export default function layerNormNet({ batch, mode }: ModelOptions): Graph {
  return mode === 'train' ? trainStep(spec(batch)) : evalStep(spec(batch));
}
