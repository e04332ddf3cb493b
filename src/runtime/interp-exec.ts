// An Executable backed by the float64 interpreter: slow, exact, and the reference for the others.
import { forwardOnly } from '../autodiff/forward-only.ts';
import type { Graph } from '../ir/graph.ts';
import { interpret } from '../interp/interpret.ts';
import type { Executable, Feeds, Outputs } from './executable.ts';
import { checkIndexFeeds, indexBounds } from './index-bounds.ts';
import { assignParams, createParams } from './params.ts';

export function interpExecutable(g: Graph, seed = 0): Executable {
  const params = createParams(g, seed);
  // Each output in its dtype's array, as the compiled targets return it.
  const toF32 = (r: Record<string, Float64Array>): Outputs =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        g.outputs.get(k)!.dtype === 'f32' ? Float32Array.from(v) : Int32Array.from(v),
      ]),
    );
  const bounds = indexBounds(g);
  // run() on a training graph evaluates what the compiled targets' run() does: forward outputs.
  let forward: Graph | null = g.updates.size === 0 ? g : null;
  return {
    graph: g,
    target: 'interp',
    params,
    run: async (inputs: Feeds) => {
      checkIndexFeeds(bounds, inputs);
      forward ??= forwardOnly(g);
      return toF32(interpret(forward, inputs, params).outputs);
    },
    step: async (inputs: Feeds) => {
      checkIndexFeeds(bounds, inputs);
      const ev = interpret(g, inputs, params);
      for (const [k, v] of Object.entries(ev.updates)) params[k]!.set(v);
      return toF32(ev.outputs);
    },
    setParams: (values) => assignParams(g, params, values),
    dispose: () => {},
  };
}
