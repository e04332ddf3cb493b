// Iterative graph traversals (no recursion: 100,000-node chains must not overflow the stack).
import type { Node } from './node.ts';

/** All nodes reachable from `roots`, in topological order (inputs before users). */
export function topo(roots: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack: Node[] = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const x of n.inputs) if (!seen.has(x)) stack.push(x);
  }
  // Node ids follow creation order, and a node is always created after its inputs.
  return [...seen].sort((a, b) => a.id - b.id);
}

/** How many times each node is used as an input among `nodes`. */
export function useCounts(nodes: readonly Node[]): Map<Node, number> {
  const uses = new Map<Node, number>();
  for (const n of nodes) for (const x of n.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);
  return uses;
}
