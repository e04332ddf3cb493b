// Dead-code elimination: only nodes reachable from the outputs and updates survive (plus every
// input and param, which are the graph's signature even when unused).
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { rebuild } from '../ir/rebuild.ts';
import { topo } from '../ir/traverse.ts';
import type { PassResult } from './rewrite.ts';

export function dce(g: Graph): PassResult {
  const live = new Set(topo(g.roots()));
  const leaf = (n: Node) => n.op === 'input' || n.op === 'param';
  if (g.nodes.every((n) => live.has(n) || leaf(n))) return { graph: g, changed: false };
  // rebuild copies exactly the leaves and what the roots reach, so it is the whole pass.
  return { graph: rebuild(g).graph, changed: true };
}
