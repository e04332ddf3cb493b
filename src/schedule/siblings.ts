// Sibling fusion: a map kernel joins an earlier map kernel of the same shape when it reads that
// kernel's outputs only element by element, so both run as one loop and a value one stores is
// used by the other straight from registers. Decided on the graph, before anything is lowered.
import type { Node } from '../ir/node.ts';
import { factsOf } from '../ops/dispatch.ts';
import type { FusionDecision } from './fuse.ts';

/** How far back a map kernel may move to join a sibling (keeps planning linear). */
const MERGE_WINDOW = 12;

/**
 * The buffers a map kernel headed by `head` reads: buffer node → true when every read is at the
 * kernel's own element (only elementwise ops between), false when some read is re-indexed.
 */
export function readsOfMap(head: Node, mat: ReadonlySet<Node>): Map<Node, boolean> {
  const reads = new Map<Node, boolean>();
  // A node is walked at most twice: once at identity, once more if reached re-indexed.
  const walked = new Map<Node, boolean>();
  const stack: [Node, boolean][] = [[head, true]];
  while (stack.length) {
    const [n, same] = stack.pop()!;
    const keeps = same && !factsOf(n.op).reindex;
    for (const x of n.inputs) {
      if (mat.has(x)) {
        reads.set(x, (reads.get(x) ?? true) && keeps);
        continue;
      }
      const before = walked.get(x);
      if (before === false || before === keeps) continue;
      walked.set(x, keeps);
      stack.push([x, keeps]);
    }
  }
  return reads;
}

export interface SiblingRules {
  readonly isMap: (head: Node) => boolean;
  /** The inlined expression cost of a head's own kernel. */
  readonly costOf: (head: Node) => number;
  readonly mat: ReadonlySet<Node>;
  /** A joined loop's total cost stays within this. */
  readonly bound: number;
  /** Heads in this set join only each other, heads outside it only each other. */
  readonly apart?: ReadonlySet<Node>;
}

/** Group kernel heads (in order) into kernels; records each join (or refusal) as a decision. */
export function groupSiblings(
  heads: readonly Node[],
  rules: SiblingRules,
  decisions: FusionDecision[],
): Node[][] {
  const groups: Node[][] = [];
  const costs: number[] = [];
  for (const k of heads) {
    const side = (h: Node) => rules.apart?.has(h) === rules.apart?.has(k);
    const joins = (h: Node) => rules.isMap(h) && side(h);
    const at = rules.isMap(k) ? findHost(groups, k, readsOfMap(k, rules.mat), joins) : -1;
    const cost = rules.costOf(k);
    const host = at >= 0 ? groups[at]![0]! : null;
    if (!host) {
      groups.push([k]);
      costs.push(cost);
    } else if (costs[at]! + cost > rules.bound) {
      groups.push([k]);
      costs.push(cost);
      const reason = `${title(k)} stays apart from ${title(host)}: one loop would cost ${costs[at]! + cost} > ${rules.bound}`;
      decisions.push({ kind: 'split', node: k, reason });
    } else {
      groups[at]!.push(k);
      costs[at]! += cost;
      const reason = `${title(k)} joins the loop of ${title(host)} (same shape [${k.shape.join(',')}])`;
      decisions.push({ kind: 'sibling', node: k, reason });
    }
  }
  return groups;
}

const title = (n: Node): string => n.label ?? `${n.op}#${n.id}`;

function findHost(
  groups: readonly (readonly Node[])[],
  k: Node,
  reads: ReadonlyMap<Node, boolean>,
  isMap: (head: Node) => boolean,
): number {
  const shape = k.shape.join();
  for (let i = groups.length - 1; i >= Math.max(0, groups.length - MERGE_WINDOW); i--) {
    const c = groups[i]!;
    if (isMap(c[0]!) && c[0]!.shape.join() === shape && c.every((h) => reads.get(h) !== false)) {
      return i;
    }
    // k may only move above kernels that do not produce what it reads.
    if (c.some((h) => reads.has(h))) return -1;
  }
  return -1;
}
