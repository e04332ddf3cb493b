// G1, the reference GPT of issue #17: the configuration, the batches and initial params every
// implementation shares, and gradc's graphs for it (training step, eval forward, decode step).
// The model: tied token/position embeddings, pre-LN blocks x + attn(ln1(x)), x + mlp(ln2(x))
// (GELU, tanh form, hidden 4·d), final LayerNorm, logits h·wteᵀ; mean next-token cross-entropy;
// AdamW (decay on weight matrices only, gradc's default group), no clipping.
import { initParams } from '../src/interp/interpret.ts';
import type { Graph } from '../src/ir/graph.ts';
import { nn } from '../src/index.ts';
import { charVocab, loadCorpus, seeded, windows } from '../examples/gpt/data.ts';
import { median } from './peers/stats.ts';

export interface G1Model {
  readonly layers: number;
  readonly dModel: number;
  readonly heads: number;
  readonly context: number;
  readonly batch: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** The G1: 4 blocks, d_model 64, 4 heads, context 64, batch 16, AdamW. */
export const G1: G1Model = {
  layers: 4,
  dModel: 64,
  heads: 4,
  context: 64,
  batch: 16,
  lr: 1e-3,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
};

export interface G1Run {
  /** Untimed steps first (compile, caches), then timed ones. */
  readonly warmup: number;
  readonly steps: number;
  /** Tokens generated per decode measurement (after a one-token prompt). */
  readonly decodeTokens: number;
}

export const g1Run = (quick: boolean): G1Run =>
  // Short: tfjs-cpu takes ~10 s of CPU per G1 step, and the whole entry should stay minutes.
  quick ? { warmup: 1, steps: 1, decodeTokens: 8 } : { warmup: 1, steps: 3, decodeTokens: 32 };

export type Params = Record<string, Float32Array>;

/** What every implementation is fed: the vocabulary size, batches in order, initial params. */
export interface G1Data {
  readonly model: G1Model;
  readonly vocab: number;
  readonly batches: readonly { readonly x: Int32Array; readonly y: Int32Array }[];
  readonly init: Readonly<Params>;
}

const gptConfig = (m: G1Model, vocab: number): nn.GptConfig => ({
  vocab,
  context: m.context,
  dModel: m.dModel,
  heads: m.heads,
  layers: m.layers,
  tieWeights: true,
});

/** The training step: forward, backward and AdamW update of every param (inputs x, y, lr). */
export function g1TrainGraph(m: G1Model, vocab: number): Graph {
  return nn.trainStep({
    name: 'g1_train',
    input: { shape: [m.batch, m.context], dtype: 'i32' },
    target: { shape: [m.batch, m.context], dtype: 'i32' },
    build: (x) => nn.gpt(x, gptConfig(m, vocab)),
    loss: nn.sparseCrossEntropy,
    optimizer: nn.adamw({
      weightDecay: m.weightDecay,
      beta1: m.beta1,
      beta2: m.beta2,
      eps: m.eps,
    }),
  });
}

/** Logits `pred` for a batch of one full context: decoding without a cache runs this per token. */
export const g1EvalGraph = (m: G1Model, vocab: number): Graph =>
  nn.evalStep({
    name: 'g1_eval',
    input: { shape: [1, m.context], dtype: 'i32' },
    build: (x) => nn.gpt(x, gptConfig(m, vocab)),
  });

/** The one-token decode step with its KV cache (batch 1). */
export const g1DecodeGraph = (m: G1Model, vocab: number): Graph =>
  nn.gptDecodeStep(gptConfig(m, vocab), 1, 'g1_decode');

/**
 * Character windows of TypeScript's lib doc comments (examples/gpt/data.ts), `count` batches
 * from a fixed seed, and gradc's initial params (seed 0) as float32: N(0, 0.02) embeddings,
 * Xavier-uniform weights, zero biases, unit norm gains.
 */
export function g1Data(m: G1Model, count: number): G1Data {
  const text = loadCorpus();
  const vocab = charVocab(text);
  const ids = vocab.encode(text);
  const rand = seeded(17);
  const batches = Array.from({ length: count }, () => windows(ids, m.batch, m.context, rand));
  const g = g1TrainGraph(m, vocab.chars.length);
  const all = initParams(g, 0);
  const init: Params = {};
  for (const p of g.params.values())
    if (p.trainable) init[p.name] = Float32Array.from(all[p.name]!);
  return { model: m, vocab: vocab.chars.length, batches, init };
}

/** A block's param names, as gradc's nn layers name them. */
export const blockParam = (i: number, name: string): string => `h${i}.${name}`;

export interface G1TrainResult {
  /** Tokens (batch × context) per second of wall time, median timed step. */
  readonly tokensPerSec: number;
  readonly msPerStep: number;
  /** CPU time of the whole process per step (all threads: lavapipe's too), median timed step. */
  readonly cpuMsPerStep: number;
  /** Every step's loss, warm-up included (all implementations see the same batches). */
  readonly losses: number[];
  readonly notes?: string;
}

/**
 * Times training steps: wall and process CPU time of each step after the warm-up. The machine
 * these run on is shared, so CPU time is the steadier figure.
 */
export function stepClock(m: G1Model, run: G1Run) {
  const wall: number[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  return {
    async step(i: number, fn: () => Promise<number>): Promise<void> {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      losses.push(await fn());
      if (i < run.warmup) return;
      const c = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    },
    result(notes?: string): G1TrainResult {
      const ms = median(wall);
      const tokensPerSec = (m.batch * m.context * 1000) / ms;
      return { tokensPerSec, msPerStep: ms, cpuMsPerStep: median(cpu), losses, notes };
    },
  };
}
