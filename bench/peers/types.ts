// The contract between the benchmark harness and one implementation ("peer") of the workloads:
// workload configs (full and BENCH_QUICK sizes), result shapes, and the Peer interface itself.
import type { MatmulCheck, MatmulInput, MlpParams, Mnist } from '../data.ts';

/** W1 seed MLP 784-30-10, sigmoid, quadratic cost, plain SGD (network.py), fixed sample order. */
export interface W1Config {
  epochs: number;
  batch: number;
  eta: number;
  /** Train on the first `trainCount` samples of data.train (≤ data.train.count). */
  trainCount: number;
}

/** W2 wide MLP 784-512-512-10, ReLU, softmax cross-entropy (batch mean), Adam. */
export interface W2Config {
  batch: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  warmup: number;
  steps: number;
}

/** W3 f32 n×n · n×n matmul. */
export interface W3Config {
  warmup: number;
  reps: number;
}

export interface BenchConfig {
  quick: boolean;
  w1: W1Config;
  w2: W2Config;
  w3: W3Config & { n: number };
}

/** Full sizes by default; BENCH_QUICK (or quick=true) shrinks counts so a smoke run takes seconds. */
export function benchConfig(quick = process.env['BENCH_QUICK'] === '1'): BenchConfig {
  return {
    quick,
    w1: { epochs: quick ? 1 : 3, batch: 10, eta: 3.0, trainCount: quick ? 300 : 8000 },
    w2: {
      batch: 128,
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      warmup: quick ? 1 : 5,
      steps: quick ? 2 : 30,
    },
    w3: { n: quick ? 256 : 1024, warmup: 1, reps: quick ? 2 : 5 },
  };
}

export interface W1Result {
  /** trainCount / median epoch wall time, first epoch excluded when epochs ≥ 2 (stats.epochRate). */
  samplesPerSec: number;
  epochSeconds: number[];
  /** Test accuracy after the last epoch, evaluated by data.ts's float64 mlpAccuracy. */
  accuracy: number;
}

export interface W2Result {
  /** Median wall time of one step: batch upload, forward, backward, Adam update, loss readback. */
  msPerStep: number;
  steps: number;
  /** Loss of the last timed step (all peers see the same batches, so this is comparable). */
  finalLoss: number;
}

export interface W3Result {
  /** Median wall time of one matmul including reading the n×n result back into JS. */
  ms: number;
  gflops: number;
  check: MatmulCheck;
}

/** One implementation of the workloads on one backend. Peers run one at a time, never concurrently. */
export interface Peer {
  /** e.g. 'tfjs-wasm', 'jax-js-webgpu'. */
  readonly name: string;
  /** Library version string. */
  readonly version: string;
  /** Initialise the backend. Resolves to undefined when ready, or to a reason it is unavailable. */
  setup(): Promise<string | undefined>;
  /** Free-form facts learned during setup (threads, adapter), for the report. */
  notes(): string;
  w1?(data: Mnist, init: MlpParams, cfg: W1Config): Promise<W1Result>;
  /** W2 batches: step s uses train samples [(s mod ⌊count/batch⌋)·batch, +batch). */
  w2?(data: Mnist, init: MlpParams, cfg: W2Config): Promise<W2Result>;
  w3?(input: MatmulInput, cfg: W3Config): Promise<W3Result>;
  /** Release every tensor/array/device the peer created. */
  dispose(): Promise<void>;
}
