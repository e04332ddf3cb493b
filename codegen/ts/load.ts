// In-process execution of a generated module (rendered as JavaScript by js.ts, imported from a
// data: URL), wrapped as an Executable. No files are written.
import type { Graph } from '../../src/ir/graph.ts';
import type { Executable, Outputs } from '../../src/runtime/executable.ts';
import { assignParams, createParams } from '../../src/runtime/params.ts';
import { feedConverter, inputsReaching } from '../../src/runtime/feeds.ts';
import { runOutputs } from '../../src/autodiff/forward-only.ts';

/** What a generated module exports (see codegen/ts/module.ts). */
export interface GeneratedModule {
  createWorkspace(): unknown;
  step?(inputs: unknown, params: unknown, ws: unknown): Record<string, Float32Array | Int32Array>;
  run?(inputs: unknown, params: unknown, ws: unknown): Record<string, Float32Array | Int32Array>;
}

/** The module's outputs are views into its workspace: copy them, keeping each one's dtype. */
function copyOutputs(r: Record<string, Float32Array | Int32Array>): Outputs {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.slice()]));
}

export interface TsModules {
  /** Module with `step` (training graphs) or `run`. */
  readonly main: GeneratedModule;
  /** Forward-only module for run() on a training graph, built on first use. */
  readonly forward: () => Promise<GeneratedModule>;
}

export function tsExecutable(g: Graph, mods: TsModules, seed = 0): Executable {
  const params = createParams(g, seed);
  const feeds = feedConverter(g, new Set(g.inputs.keys()));
  // run() on a training graph computes only the outputs: inputs such as `lr` are not needed.
  const forwardFeeds = feedConverter(g, inputsReaching(g, [...runOutputs(g).values()]));
  const ws = mods.main.createWorkspace();
  // A wasm workspace holds the params in its memory: use those arrays, so no step copies them.
  const own = (ws as { params?: Record<string, Float32Array> }).params;
  if (own) {
    for (const [k, v] of Object.entries(params)) {
      const mine = own[k]; // absent for params the optimized graph no longer reads
      if (!mine) continue;
      mine.set(v);
      params[k] = mine;
    }
  }
  let fwd: { mod: GeneratedModule; ws: unknown } | null = null;
  const paramsView = Object.freeze({ ...params });
  return {
    graph: g,
    target: 'ts',
    params: paramsView,
    async run(inputs) {
      // A training module's own run needs only the forward pass's inputs, as the forward module
      // does; that one is compiled for the graph's outputs alone (no gradient kernels to skip).
      if (mods.main.run && !mods.main.step) {
        return copyOutputs(mods.main.run(feeds(inputs), params, ws));
      }
      if (!fwd) {
        const mod = await mods.forward();
        fwd = { mod, ws: mod.createWorkspace() };
      }
      return copyOutputs(fwd.mod.run!(forwardFeeds(inputs), params, fwd.ws));
    },
    async step(inputs) {
      const fn = mods.main.step ?? mods.main.run!;
      return copyOutputs(fn(feeds(inputs), params, ws));
    },
    setParams: (values) => assignParams(g, params, values),
    // A threaded wasm workspace stops its workers.
    dispose: () => [ws, fwd?.ws].forEach((w) => (w as { dispose?: () => void })?.dispose?.()),
  };
}
