// The model-file contract: what a model module's exports may be, as types model authors can import.
// Default export: a Graph, or a function of { batch, mode } returning one; optional `train` setup.
import type { Graph } from '../index.ts';
import type { Dataset, LrSchedule } from '../nn/index.ts';

/** 'infer': the forward graph (with a scalar `loss` output for --grad and check); 'train': a step. */
export type ModelMode = 'infer' | 'train';

export interface ModelOptions {
  readonly batch: number;
  readonly mode: ModelMode;
}

export type ModelFn = (opts: ModelOptions) => Graph | Promise<Graph>;

/** What `export default` of a model file may be. */
export type ModelExport = Graph | ModelFn;

/** A value or a (possibly async) function producing it, so data loads only when needed. */
export type Lazy<T> = T | (() => T | Promise<T>);

/**
 * `export const train: TrainSetup = { ... }` makes a model trainable with `gradc train`. The
 * train-mode graph takes inputs `x`, `y` (and `lr`), outputs `loss` (and `pred`), and has updates
 * (see nn.trainStep); the infer-mode graph, if `validation` is given, outputs `pred`.
 */
export interface TrainSetup {
  readonly data: Lazy<Dataset>;
  readonly validation?: Lazy<Dataset>;
  readonly epochs?: number;
  readonly batch?: number;
  /** The learning rate fed as input `lr` (number or a function of the step). */
  readonly lr?: number | LrSchedule;
  /** Decision threshold for one-column predictions (0.5 for probabilities, 0 for logits). */
  readonly threshold?: number;
}
