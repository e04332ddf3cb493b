// An Executable backed by the float64 interpreter: slow, exact, and the reference for the others.
import type { Graph } from '../ir/graph.ts';
import { interpret } from '../interp/interpret.ts';
import type { Executable, Feeds, Outputs } from './executable.ts';
import { checkIndexFeeds, indexBounds } from './index-bounds.ts';
import { assignParams, createParams } from './params.ts';

export function interpExecutable(g: Graph, seed = 0): Executable {
  const params = createParams(g, seed);
  const toF32 = (r: Record<string, Float64Array>): Outputs =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Float32Array.from(v)]));
  const bounds = indexBounds(g);
  return {
    graph: g,
    target: 'interp',
    params,
    run: async (inputs: Feeds) => {
      checkIndexFeeds(bounds, inputs);
      return toF32(interpret(g, inputs, params).outputs);
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
