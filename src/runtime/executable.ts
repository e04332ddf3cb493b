// The one interface every compiled graph offers, whatever the target: run, step, and its params.
import type { Graph } from '../ir/graph.ts';

export type Target = 'ts' | 'wgsl' | 'interp';
export type Feeds = Readonly<Record<string, ArrayLike<number>>>;
/** Each output in its dtype's array: Float32Array for f32, Int32Array for i32 and bool (0/1). */
export type Outputs = Record<string, Float32Array | Int32Array>;

/** What compile() built: kernels in the step, its memory plan, and how long compiling took. */
export interface CompileReport {
  readonly kernels: number;
  /** Peak bytes of the planned intermediates, and what they would take with no reuse. */
  readonly peakBytes: number;
  readonly unplannedBytes: number;
  /** Wall time of compile() (emit, load and device setup), milliseconds. */
  readonly compileMs: number;
}

export interface Executable {
  readonly graph: Graph;
  readonly target: Target;
  /** Set by compile() on the TS and WGSL targets. */
  readonly report?: CompileReport;
  /** Current param values by name (trainable params and optimizer state), owned by the executable. */
  readonly params: Readonly<Record<string, Float32Array>>;
  /**
   * Compute the graph's outputs; params are not changed. On a training graph (one with updates)
   * only the forward outputs: an output that needs a gradient (`grad_norm`, `grad_norm.<param>`)
   * is absent, since run() compiles no backward pass; step() returns it.
   */
  run(inputs: Feeds): Promise<Outputs>;
  /** One training step: compute outputs, then write every update into its param. Returns the outputs. */
  step(inputs: Feeds): Promise<Outputs>;
  /** Replace param values (e.g. from a checkpoint); names and sizes are checked. */
  setParams(values: Feeds): void;
  /**
   * WebGPU: params live on the device, and after step() `params` throws until this has copied
   * them back. Absent (nothing to do) on the CPU targets.
   */
  syncParams?(): Promise<void>;
  /** Release device resources (WebGPU); a no-op on the CPU. */
  dispose(): void;
}
