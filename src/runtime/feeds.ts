// Feeding inputs to compiled code: names and sizes checked first, values converted to the typed
// arrays a kernel reads (converted copies are reused between calls, so steps do not churn memory).
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { topo } from '../ir/traverse.ts';
import { checkFeeds } from '../interp/interpret.ts';
import type { Feeds } from './executable.ts';
import { checkIndexFeeds, indexBounds } from './index-bounds.ts';

export type TypedFeeds = Record<string, Float32Array | Int32Array>;

/** Typed copies of the feeds, checked against the graph (reused between calls: no per-step churn). */
export function feedConverter(g: Graph, needed: ReadonlySet<string>) {
  const cache = new Map<string, Float32Array | Int32Array>();
  const bounds = indexBounds(g);
  return (inputs: Feeds): TypedFeeds => {
    checkFeeds(g, inputs, undefined, needed);
    checkIndexFeeds(bounds, inputs);
    const out = Object.create(null) as TypedFeeds; // input names are user text
    for (const [name, node] of g.inputs) {
      const v = Object.hasOwn(inputs, name) ? inputs[name] : undefined;
      if (!v) continue;
      const want = node.dtype === 'f32' ? Float32Array : Int32Array;
      if (v instanceof want) {
        out[name] = v;
        continue;
      }
      let buf = cache.get(name);
      if (!buf) cache.set(name, (buf = new want(node.size)));
      buf.set(v);
      out[name] = buf;
    }
    return out;
  };
}

/** Names of the inputs that `roots` depend on. */
export function inputsReaching(g: Graph, roots: readonly Node[]): Set<string> {
  const used = new Set(topo(roots));
  return new Set([...g.inputs].filter(([, n]) => used.has(n)).map(([name]) => name));
}
