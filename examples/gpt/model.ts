// The GPT examples' graphs: a training step (next-token cross-entropy, optionally only on some
// positions, AdamW with warmup + cosine), an evaluation graph with the same param names, and the
// one-token decode step with its KV cache.
import type { Graph, Node } from '../../src/index.ts';
import { mul, nn, oneHot, softmaxCrossEntropy, sum, tensor } from '../../src/index.ts';

export interface GptExampleConfig extends nn.GptConfig {
  readonly batch: number;
  /** Tokens per training sequence (≤ context). */
  readonly seq: number;
}

/** Mean next-token cross-entropy over the positions where `mask` is 1 (every position if none). */
export function lmLoss(logits: Node, labels: Node, mask?: readonly number[]): Node {
  if (!mask) return nn.sparseCrossEntropy(logits, labels);
  const v = logits.shape[logits.rank - 1]!;
  const perPos = softmaxCrossEntropy(logits, oneHot(labels, v));
  const weights = tensor(
    logits.graph,
    mask.map((m) => m / mask.reduce((s, x) => s + x, 0)),
  );
  return sum(mul(perPos, weights))
    .mul(1 / labels.shape[0]!)
    .named('loss');
}

export interface TrainOptions {
  readonly mask?: readonly number[];
  /** Names of the params to train (all by default): e.g. LoRA adapters only. */
  readonly trainable?: (name: string) => boolean;
  readonly weightDecay?: number;
}

export function trainGraph(cfg: GptExampleConfig, opts: TrainOptions = {}): Graph {
  return nn.trainStep({
    name: 'gpt_train',
    input: { shape: [cfg.batch, cfg.seq], dtype: 'i32' },
    target: { shape: [cfg.batch, cfg.seq], dtype: 'i32' },
    build: (x) => nn.gpt(x, cfg),
    loss: (logits, y) => lmLoss(logits, y, opts.mask),
    optimizer: nn.adamw({ weightDecay: opts.weightDecay ?? 0.01 }),
    clipNorm: 1,
    trainable: opts.trainable,
  });
}

/**
 * Logits `pred` [batch, seq, vocab] for ids `x`, with the training graph's param names; given a
 * loss mask, also the target `y` and the masked `loss`.
 */
export function evalGraph(cfg: GptExampleConfig, mask?: readonly number[]): Graph {
  return nn.evalStep({
    name: 'gpt_eval',
    input: { shape: [cfg.batch, cfg.seq], dtype: 'i32' },
    build: (x) => nn.gpt(x, cfg),
    ...(mask && {
      target: { shape: [cfg.batch, cfg.seq], dtype: 'i32' as const },
      loss: (logits: Node, y: Node) => lmLoss(logits, y, mask),
    }),
  });
}

export const decodeGraph = (cfg: nn.GptConfig): Graph => nn.gptDecodeStep(cfg, 1);
