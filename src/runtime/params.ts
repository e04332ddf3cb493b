// Param storage shared by every target: float32 arrays initialized from the graph's specs.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { fmtShape } from '../ir/shape.ts';
import { initParams } from '../interp/interpret.ts';
import type { Feeds } from './executable.ts';

export function createParams(g: Graph, seed = 0): Record<string, Float32Array> {
  const init = initParams(g, seed);
  return Object.fromEntries(Object.entries(init).map(([k, v]) => [k, Float32Array.from(v)]));
}

/** Copy `values` into `params`, checking every name and size first so a mismatch changes nothing. */
export function assignParams(g: Graph, params: Record<string, Float32Array>, values: Feeds): void {
  for (const [name, v] of Object.entries(values)) {
    const spec = g.params.get(name);
    if (!spec) throw new GraphError('param', `unknown param '${name}'`);
    if (v.length !== spec.node.size) {
      throw new GraphError(
        'param',
        `param '${name}': expected ${spec.node.size} values for shape ${fmtShape(spec.node.shape)}, got ${v.length}`,
      );
    }
  }
  for (const [name, v] of Object.entries(values)) params[name]!.set(v);
}
