// The one rewrite engine: copy a graph bottom-up and apply a list of local rules to each copied
// node until none fires. Rules see only a node and its inputs, so a pass is linear in graph size.
import type { Graph } from '../ir/graph.ts';
import type { Attrs, Node } from '../ir/node.ts';
import { rebuild } from '../ir/rebuild.ts';
import type { Rewrite } from '../ir/rebuild.ts';
import type { OpName } from '../ops/names.ts';

/**
 * What every pass returns: the new graph (`g` itself when a pass finds nothing to do) and whether
 * anything was rewritten.
 */
export interface PassResult {
  readonly graph: Graph;
  readonly changed: boolean;
}

export type Pass = (g: Graph) => PassResult;

/** A local rewrite: `n` already lives in the destination graph; return a replacement or null. */
export interface Rule {
  /** The rewrite in one line, e.g. `x·1 → x`. */
  readonly name: string;
  readonly apply: (n: Node) => Node | null;
}

/** Rewrites of one node before it settles; a bound so a cycle of rules cannot loop forever. */
const MAX_STEPS = 16;

/** Build `op(ins)` in `like`'s graph, keeping `like`'s site and provenance. */
export function make(like: Node, op: OpName, ins: readonly Node[], attrs: Attrs = {}): Node {
  return like.graph.applyAs(op, ins, attrs, like.meta);
}

/** A rebuild whose rewrite callback records whether it ever replaced a node. */
export function runRewrite(g: Graph, rewrite: Rewrite): PassResult {
  let changed = false;
  const { graph } = rebuild(g, (node, ins, dst, meta) => {
    const out = rewrite(node, ins, dst, meta);
    if (out) changed = true;
    return out;
  });
  // Unchanged: the original (the copy only lacks its dead nodes, which dce drops anyway).
  return { graph: changed ? graph : g, changed };
}

/** Apply the first rule that fires, repeatedly, to `n`; returns the settled node. */
export function settle(n: Node, rules: readonly Rule[]): Node {
  let cur = n;
  for (let step = 0; step < MAX_STEPS; step++) {
    let next: Node | null = null;
    for (const rule of rules) {
      next = rule.apply(cur);
      if (next && next !== cur) break;
      next = null;
    }
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

/** Copy `g`, settling every node under `rules`. Replaced copies are left for dce to drop. */
export function rewriteGraph(g: Graph, rules: readonly Rule[]): PassResult {
  return runRewrite(g, (node, ins, dst, meta) => {
    const copy = dst.applyAs(node.op, ins, node.attrs, meta);
    const out = settle(copy, rules);
    return out === copy ? null : out;
  });
}
