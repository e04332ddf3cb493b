// Fusion decisions: which nodes get a buffer, and which elementwise chains become the epilogue of
// a matmul or reduction. Everything else inlines into its consumers' loops. Each decision that
// splits a kernel records its reason, for `--explain-fusion`.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { topo } from '../ir/traverse.ts';
import { OPS } from '../ops/table.ts';
import { matmulOperand, stridedOf } from './views.ts';

export type LowerKind = 'expr' | 'reduce' | 'matmul' | 'scatter' | 'leaf';

export const lowerKind = (n: Node): LowerKind => OPS[n.op].lower.kind;

const VIEW_OPS: ReadonlySet<string> = new Set([
  'reshape',
  'permute',
  'broadcast',
  'slice',
  'pad',
  'concat',
  'gather',
  'stop_gradient',
  'custom_vjp',
]);
const FREE_OPS: ReadonlySet<string> = new Set(['constant', 'iota']);
const TRANSCENDENTAL: ReadonlySet<string> = new Set([
  'exp',
  'log',
  'sqrt',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'pow',
  'random',
  'div',
  'reciprocal',
]);
/** Inline a multi-use value into each consumer only while recomputing it is this cheap. */
const MAX_RECOMPUTE_COST = 2;
/** Bound on inlined expression depth: keeps kernels readable and renderers non-recursive-safe. */
const MAX_INLINE_DEPTH = 40;

export interface FusionPlan {
  readonly order: readonly Node[];
  /** Nodes with a buffer of their own: leaves, kernel outputs, roots. */
  readonly materialized: ReadonlySet<Node>;
  /** Kernel heads in execution order: each is stored by exactly one kernel. */
  readonly heads: readonly Node[];
  /** Head → the matmul/reduce whose accumulator its epilogue consumes. */
  readonly anchorOf: ReadonlyMap<Node, Node>;
  readonly notes: readonly string[];
}

function consumersOf(order: readonly Node[]): Map<Node, Node[]> {
  const cons = new Map<Node, Node[]>();
  for (const n of order) {
    for (const x of new Set(n.inputs)) {
      const list = cons.get(x);
      if (list) list.push(n);
      else cons.set(x, [n]);
    }
  }
  return cons;
}

export function planFusion(g: Graph): FusionPlan {
  const roots = new Set(g.roots());
  const order = topo([...roots]);
  const cons = consumersOf(order);
  const mat = new Set<Node>();
  const notes: string[] = [];
  const cost = new Map<Node, number>();
  const name = (n: Node) => n.label ?? `${n.op}#${n.id}`;

  const depth = new Map<Node, number>();
  for (const n of order) {
    if (lowerKind(n) !== 'expr' || roots.has(n)) {
      mat.add(n);
      continue;
    }
    const live = n.inputs.filter((x) => !mat.has(x));
    const own = VIEW_OPS.has(n.op) || FREE_OPS.has(n.op) ? 0 : TRANSCENDENTAL.has(n.op) ? 4 : 1;
    const c = own + live.reduce((s, x) => s + (cost.get(x) ?? 0), 0);
    const d = 1 + Math.max(0, ...live.map((x) => depth.get(x) ?? 0));
    cost.set(n, c);
    depth.set(n, d);
    const users = cons.get(n) ?? [];
    if (users.length > 1 && c > MAX_RECOMPUTE_COST) {
      mat.add(n);
      notes.push(`buffer for ${name(n)}: used by ${users.length} consumers, recompute cost ${c}`);
    } else if (c > 0 && users.some((u) => u.op === 'broadcast')) {
      mat.add(n);
      notes.push(`buffer for ${name(n)}: broadcast would recompute it per copy`);
    } else if (users.some((u) => lowerKind(u) === 'scatter')) {
      mat.add(n);
      notes.push(`buffer for ${name(n)}: scatter_add reads plain buffers`);
    } else if (d >= MAX_INLINE_DEPTH) {
      mat.add(n);
      notes.push(`buffer for ${name(n)}: expression depth ${d} reached the limit`);
    }
  }
  materializeMatmulOperands(order, mat, notes, name);
  const anchorOf = fuseEpilogues(order, cons, roots, mat, notes, name);
  const heads = order.filter((n) => mat.has(n) && lowerKind(n) !== 'leaf');
  return { order, materialized: mat, heads, anchorOf, notes };
}

/**
 * A matmul operand must be a strided view of a buffer with one batch stride; anything else is
 * computed (or copied, for views like a head-split permute) into a contiguous buffer first.
 */
function materializeMatmulOperands(
  order: readonly Node[],
  mat: Set<Node>,
  notes: string[],
  name: (n: Node) => string,
): void {
  for (const n of order) {
    if (n.op !== 'matmul') continue;
    for (const x of n.inputs) {
      const hasBuffer = (y: Node) => mat.has(y);
      if (matmulOperand(x, hasBuffer)) continue;
      const why = stridedOf(x, hasBuffer)
        ? 'matmul operand view has no single batch stride (copied contiguous)'
        : 'matmul operand is not a strided view';
      mat.add(x);
      notes.push(`buffer for ${name(x)}: ${why}`);
    }
  }
}

/** Grow single-consumer elementwise chains off each matmul/reduce into its epilogue. */
function fuseEpilogues(
  order: readonly Node[],
  cons: ReadonlyMap<Node, Node[]>,
  roots: ReadonlySet<Node>,
  mat: Set<Node>,
  notes: string[],
  name: (n: Node) => string,
): Map<Node, Node> {
  const anchorOf = new Map<Node, Node>();
  // A node joins at most one epilogue: in f(sum(x), sum(y)) only the first sum gets f.
  const claimed = new Set<Node>();
  for (const a of order) {
    const kind = lowerKind(a);
    if (kind !== 'matmul' && kind !== 'reduce') continue;
    let head = a;
    for (;;) {
      const users = cons.get(head) ?? [];
      const next = users[0];
      if (roots.has(head) || users.length !== 1 || !next) break;
      if (
        lowerKind(next) !== 'expr' ||
        VIEW_OPS.has(next.op) ||
        claimed.has(next) ||
        next.shape.join() !== head.shape.join()
      ) {
        break;
      }
      if (head !== a) mat.delete(head);
      mat.delete(a);
      mat.add(next);
      head = next;
      claimed.add(next);
    }
    anchorOf.set(head, a);
    if (head !== a) notes.push(`epilogue: ${name(a)} → ${name(head)} in one kernel`);
  }
  return anchorOf;
}
