// Integer inputs used as indices (gather ids, class labels) are range-checked on the host at
// feed time: kernels clamp indices so they never read outside a buffer, which would otherwise
// turn a bad token id into silently wrong numbers.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape } from '../ir/shape.ts';
import { fmtSite } from '../ir/site.ts';
import type { Feeds } from './executable.ts';

/** An index input's valid range [0, bound) and what it indexes, for the error message. */
export interface IndexBound {
  readonly bound: number;
  readonly what: string;
}

/** Bounds declared by composites that index without a gather (e.g. labels through one_hot). */
const declared = new WeakMap<Graph, Map<Node, IndexBound>>();

/** Declare that the i32 values of `ids` must lie in [0, bound) (checked where they are fed). */
export function declareIndexBound(ids: Node, bound: number, what: string): void {
  let m = declared.get(ids.graph);
  if (!m) declared.set(ids.graph, (m = new Map()));
  m.set(ids, { bound: Math.min(bound, m.get(ids)?.bound ?? bound), what });
}

const THROUGH: ReadonlySet<string> = new Set([
  'reshape',
  'broadcast',
  'permute',
  'slice',
  'stop_gradient',
]);

/** The input a node views, if it is one seen through movement ops only. */
function inputUnder(n: Node): Node | null {
  let x = n;
  while (THROUGH.has(x.op)) x = x.inputs[0]!;
  return x.op === 'input' ? x : null;
}

/** Input name → the tightest bound any gather or declaration puts on it. */
export function indexBounds(g: Graph): Map<string, IndexBound> {
  const found: [Node, IndexBound][] = [...(declared.get(g) ?? new Map<Node, IndexBound>())];
  for (const n of g.nodes) {
    if (n.op !== 'gather') continue;
    const [table, ids] = n.inputs as [Node, Node];
    const axis = (n.attrs as { axis: number }).axis;
    const name = table.label ?? table.op;
    const what = `gather from ${name} ${fmtShape(table.shape)} (at ${fmtSite(n.meta.site)})`;
    found.push([ids, { bound: table.shape[axis]!, what }]);
  }
  const out = new Map<string, IndexBound>();
  for (const [ids, b] of found) {
    const input = inputUnder(ids);
    const name = input?.label;
    if (!name) continue;
    const prev = out.get(name);
    if (!prev || b.bound < prev.bound) out.set(name, b);
  }
  return out;
}

/** Throw a GraphError naming the input, the first bad value and its position. */
export function checkIndexFeeds(bounds: ReadonlyMap<string, IndexBound>, inputs: Feeds): void {
  if (typeof inputs !== 'object' || inputs === null) return; // checkFeeds names the mistake
  for (const [name, { bound, what }] of bounds) {
    const v = Object.hasOwn(inputs, name) ? inputs[name] : undefined; // 'constructor' is user text
    if (!v) continue;
    for (let i = 0; i < v.length; i++) {
      const id = v[i]!;
      if (id >= 0 && id < bound && Number.isInteger(id)) continue;
      throw new GraphError(
        'input',
        `input '${name}': value ${id} at position ${i} is out of range [0, ${bound}) for ${what}`,
      );
    }
  }
}
