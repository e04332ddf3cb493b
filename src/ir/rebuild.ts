// Copy a graph into a fresh one, node by node, letting a pass replace nodes on the way.
// Leaves, outputs, updates, labels and each node's site and provenance carry over.
import { Graph } from './graph.ts';
import type { Node, NodeMeta } from './node.ts';
import { topo } from './traverse.ts';

/**
 * Called for each node with its inputs already rebuilt in `dst`; returns a replacement node in
 * `dst`, or null to copy the node unchanged. `meta` is the node's metadata for `dst` (its
 * provenance points at the copy of its forward node): pass it to `dst.applyAs` to keep it.
 */
export type Rewrite = (node: Node, ins: readonly Node[], dst: Graph, meta: NodeMeta) => Node | null;

export interface Rebuilt {
  readonly graph: Graph;
  /** Old node → new node. */
  readonly map: ReadonlyMap<Node, Node>;
}

export function rebuild(src: Graph, rewrite?: Rewrite): Rebuilt {
  const dst = new Graph(src.name);
  const map = new Map<Node, Node>();
  for (const [name, n] of src.inputs) map.set(n, dst.input(name, n.shape, n.dtype));
  for (const [name, p] of src.params)
    map.set(p.node, dst.param(name, p.node.shape, p.init, p.trainable));
  for (const n of topo(src.roots())) {
    if (map.has(n)) continue;
    const ins = n.inputs.map((x) => map.get(x)!);
    const meta = remapMeta(n.meta, map);
    const out = rewrite?.(n, ins, dst, meta) ?? dst.applyAs(n.op, ins, n.attrs, meta);
    const label = src.labelOf(n);
    if (label) dst.label(out, label);
    map.set(n, out);
  }
  for (const [k, n] of src.outputs) dst.output(k, map.get(n)!);
  for (const [k, n] of src.updates) dst.update(k, map.get(n)!);
  return { graph: dst, map };
}

/**
 * Point provenance at the copy of its forward node, so printed chain-rule steps name nodes of the
 * new graph. A forward node that a pass replaced by a different op keeps its old identity: its
 * step's `{0}`, `{1}` would otherwise name the wrong inputs.
 */
function remapMeta(meta: NodeMeta, map: ReadonlyMap<Node, Node>): NodeMeta {
  const f = meta.prov?.forward;
  const to = f ? map.get(f) : undefined;
  if (!f || !to || to === f || to.op !== f.op || to.inputs.length !== f.inputs.length) return meta;
  return { ...meta, prov: { ...meta.prov!, forward: to } };
}
