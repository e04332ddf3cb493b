// A Transformer-like model from existing nn pieces (dense, layerNorm, softmax, per-head slicing),
// for the WGSL scale tests: a training step with AdamW and clipping has hundreds of kernels.
import * as B from '../../src/builder/ops.ts';
import { gelu, softmax } from '../../src/builder/composite.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { dense, residual } from '../../src/nn/layers.ts';
import { crossEntropy } from '../../src/nn/losses.ts';
import { layerNorm } from '../../src/nn/norm.ts';
import { adamw } from '../../src/nn/optim.ts';
import { evalStep, trainStep } from '../../src/nn/train.ts';

export interface TransformerSize {
  readonly blocks: number;
  /** Sequence length (rows of x). */
  readonly seq: number;
  readonly width: number;
  readonly heads: number;
  readonly classes: number;
}

/** Self-attention over the rows of x [T, D]: heads are column slices of q, k, v. */
function attention(x: Node, heads: number): Node {
  const [t, d] = [x.shape[0]!, x.shape[1]!];
  const dh = d / heads;
  const [q, k, v] = ['q', 'k', 'v'].map(() => dense(x, d));
  const outs = Array.from({ length: heads }, (_, h) => {
    const cols = [
      [0, t],
      [h * dh, (h + 1) * dh],
    ];
    const [qh, kh, vh] = [q!, k!, v!].map((m) => B.slice(m, cols));
    const att = softmax(B.mul(qh!.matmul(B.transpose(kh!)), 1 / Math.sqrt(dh)), -1);
    return att.matmul(vh!);
  });
  return dense(B.concat(outs, 1), d);
}

function block(x: Node, heads: number): Node {
  const d = x.shape[1]!;
  const h = residual(x, (y) => attention(layerNorm(y), heads));
  return residual(h, (y) => dense(dense(layerNorm(y), 4 * d, { activation: gelu }), d));
}

function build(size: TransformerSize) {
  return (x: Node) => {
    let h = dense(x, size.width);
    for (let b = 0; b < size.blocks; b++) h = block(h, size.heads);
    return dense(layerNorm(h), size.classes);
  };
}

/** The training step (AdamW, global-norm clipping) and the eval graph with the same params. */
export function transformer(size: TransformerSize): {
  train: Graph;
  eval: Graph;
  feeds: Record<string, Float32Array>;
} {
  const input = { shape: [size.seq, size.width] };
  const target = { shape: [size.seq, size.classes] };
  const spec = { input, build: build(size) };
  const train = trainStep({
    ...spec,
    name: `transformer_${size.blocks}`,
    target,
    loss: crossEntropy,
    optimizer: adamw({ weightDecay: 0.01 }),
    clipNorm: 1,
  });
  const evalG = evalStep({ ...spec, name: `transformer_${size.blocks}_eval` });
  const r = mulberry32(size.blocks);
  const x = Float32Array.from({ length: size.seq * size.width }, () => r() * 2 - 1);
  const y = Float32Array.from({ length: size.seq * size.classes }, (_, i) =>
    i % size.classes === (Math.floor(i / size.classes) * 3) % size.classes ? 1 : 0,
  );
  return { train, eval: evalG, feeds: { x, y, lr: Float32Array.of(1e-3) } };
}
