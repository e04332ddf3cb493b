// Param storage shared by every target: float32 arrays initialized from the graph's specs.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { fmtShape } from '../ir/shape.ts';
import { checkValue, initParams } from '../interp/interpret.ts';
import type { Feeds } from './executable.ts';

export function createParams(g: Graph, seed = 0): Record<string, Float32Array> {
  checkAllocatable(g);
  const init = initParams(g, seed);
  return Object.fromEntries(Object.entries(init).map(([k, v]) => [k, Float32Array.from(v)]));
}

/** Copy `values` into `params`, checking every name and size first so a mismatch changes nothing. */
export function assignParams(g: Graph, params: Record<string, Float32Array>, values: Feeds): void {
  if (typeof values !== 'object' || values === null) {
    throw new GraphError('param', `setParams takes an object of named arrays, got ${values}`);
  }
  for (const [name, v] of Object.entries(values)) {
    const spec = g.params.get(name);
    if (!spec) throw new GraphError('param', `unknown param '${name}'`);
    checkValue('param', spec.node, name, v);
  }
  for (const [name, v] of Object.entries(values)) params[name]!.set(v);
}

/** Float64Arrays here hold at most 2^28 elements (2 GiB); V8 refuses larger ones at best. */
const MAX_ELEMENTS = 2 ** 28;

/** A param too large to allocate is a GraphError naming it and its bytes, not a bare RangeError. */
export function checkAllocatable(g: Graph): void {
  for (const [name, p] of g.params) {
    if (p.node.size <= MAX_ELEMENTS) continue;
    throw new GraphError(
      'param',
      `param '${name}' ${fmtShape(p.node.shape)} needs ${p.node.size * 4} bytes as float32: too large to allocate in one array (at most ${MAX_ELEMENTS * 4} bytes); make it smaller or split it`,
      p.node.meta.site,
    );
  }
}
