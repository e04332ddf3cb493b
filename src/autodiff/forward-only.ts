// What run() computes on a training graph: the forward outputs only. An output that needs a
// gradient (the clip norm `grad_norm`, `grad_norm.<param>`) is a step() output, so evaluation
// never compiles the backward pass or the optimizer update.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { rebuild } from '../ir/rebuild.ts';
import { topo } from '../ir/traverse.ts';

/**
 * The outputs of `g` that depend on a node `grad` built (every such node carries provenance).
 * One pass over the nodes in topological order: linear in the graph, no recursion.
 */
export function gradientOutputs(g: Graph): Set<string> {
  const outs = [...g.outputs];
  const needs = new Set<Node>();
  for (const n of topo(outs.map(([, n]) => n))) {
    if (n.meta.prov !== null || n.inputs.some((x) => needs.has(x))) needs.add(n);
  }
  return new Set(outs.filter(([, n]) => needs.has(n)).map(([name]) => name));
}

/**
 * The outputs run() computes: for a training graph (one with updates) those that need no
 * gradient; for any other graph all of them (a graph of gradients without updates, e.g. what
 * `gradc check` compiles, runs its gradients).
 */
export function runOutputs(g: Graph): Map<string, Node> {
  if (g.updates.size === 0) return new Map(g.outputs);
  const skip = gradientOutputs(g);
  return new Map([...g.outputs].filter(([name]) => !skip.has(name)));
}

/** The graph run() compiles: `runOutputs(g)`, no updates, and nothing else (dead code dropped). */
export function forwardOnly(g: Graph): Graph {
  const keep = runOutputs(g);
  const copy = rebuild(g).graph;
  copy.updates.clear();
  for (const name of [...copy.outputs.keys()]) if (!keep.has(name)) copy.outputs.delete(name);
  return rebuild(copy).graph;
}
