// A residual block, read as math by `gradc explain`: h = x + f(x), so the δ reaching x carries
// the identity term (δ_h itself) beside the block's own. x → dense → h + relu(h·W + b) → dense → CE.
import type { Graph, Node } from '../../src/index.ts';
import type { ModelOptions } from '../../src/cli/contract.ts';
import {
  dense,
  evalStep,
  residual,
  sgd,
  sparseCrossEntropy,
  trainStep,
} from '../../src/nn/index.ts';

const spec = (batch: number) => ({
  name: 'residual',
  input: { shape: [batch, 12] },
  target: { shape: [batch], dtype: 'i32' as const },
  build: (x: Node) => {
    const h = dense(x, 16, { name: 'dense1', activation: 'relu' });
    const r = residual(h, (v) => dense(v, 16, { name: 'block', activation: 'relu' })).named('res');
    return dense(r, 3, { name: 'out' });
  },
  loss: sparseCrossEntropy,
  optimizer: sgd(),
});

export default function residualNet({ batch, mode }: ModelOptions): Graph {
  return mode === 'train' ? trainStep(spec(batch)) : evalStep(spec(batch));
}
