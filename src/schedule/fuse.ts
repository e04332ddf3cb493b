// Fusion decisions: which nodes get a buffer, which elementwise chains become the epilogue of a
// matmul or reduction, and which same-shape loops run as one. Everything else inlines into its
// consumers' loops. Decisions are made once, here, each as an object with its reason.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { topo } from '../ir/traverse.ts';
import { costOf, factsOf } from '../ops/dispatch.ts';
import type { Lowering } from '../ops/def.ts';
import type { OpName } from '../ops/names.ts';
import { OPS } from '../ops/table.ts';
import { KINDS, kindOfNode } from './kinds/index.ts';
import { groupSiblings } from './siblings.ts';
import { stridedOf, viewBase } from './views.ts';

/** How an op lowers (the op table's Lowering kinds: a new kind needs no edit here). */
export type LowerKind = Lowering<OpName>['kind'];

export const lowerKind = (n: Node): LowerKind => OPS[n.op].lower.kind;

/** Does `n` head a kernel that reads plain buffers (its kind says so)? */
function readsPlainBuffers(n: Node): boolean {
  const kind = kindOfNode(n);
  return kind !== null && KINDS[kind].plainInputs === true;
}

/** Inline a multi-use value into each consumer only while recomputing it is this cheap. */
const MAX_RECOMPUTE_COST = 2;
/** Bound on inlined expression depth: keeps kernels readable and renderers non-recursive-safe. */
export const MAX_INLINE_DEPTH = 40;
/** Bound on one kernel's inlined expression cost: past it an intermediate gets a buffer. */
export const MAX_KERNEL_COST = 160;
/**
 * Longest elementwise chain fused into one matmul/reduce epilogue. Long enough for a global
 * gradient norm over 150 tensors in one kernel (WGSL splits its depth with lets), short enough
 * that lowering and rendering (recursive on expression depth) stay far from the stack limit.
 */
export const MAX_EPILOGUE = 256;

/** One fusion decision and why (XLA's FusionDecision); `--explain-fusion` prints them. */
export interface FusionDecision {
  /** buffer: `node` gets its own buffer; epilogue: `node` ends a matmul/reduce kernel; sibling:
   * `node`'s loop joins an earlier loop of the same shape; split: it could, but the joined loop
   * would pass the cost bound. */
  readonly kind: 'buffer' | 'epilogue' | 'sibling' | 'split';
  readonly node: Node;
  readonly reason: string;
}

/** A decision as one line of text. */
export const describeDecision = (d: FusionDecision, name: (n: Node) => string): string =>
  d.kind === 'buffer' ? `buffer for ${name(d.node)}: ${d.reason}` : `${d.kind}: ${d.reason}`;

export interface FusionPlan {
  readonly order: readonly Node[];
  /** Nodes with a buffer of their own: leaves, kernel outputs, roots. */
  readonly materialized: ReadonlySet<Node>;
  /** Kernel heads in execution order: each is stored by exactly one kernel. */
  readonly heads: readonly Node[];
  /** The kernels: groups of heads computed in one loop (most groups are one head), in order. */
  readonly kernels: readonly (readonly Node[])[];
  /** Head → the matmul/reduce whose accumulator its epilogue consumes. */
  readonly anchorOf: ReadonlyMap<Node, Node>;
  readonly decisions: readonly FusionDecision[];
  /** The decisions as text, in order. */
  readonly notes: readonly string[];
}

export const nodeTitle = (n: Node): string => n.label ?? `${n.op}#${n.id}`;

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

/**
 * `apart`: nodes whose kernels share no loop with other work (a training graph's forward pass,
 * which its `run` executes alone: src/pipeline.ts).
 */
export function planFusion(g: Graph, apart?: ReadonlySet<Node>): FusionPlan {
  const roots = new Set(g.roots());
  const order = topo([...roots]);
  const cons = consumersOf(order);
  const mat = new Set<Node>();
  const decisions: FusionDecision[] = [];
  const buffer = (node: Node, reason: string) => {
    mat.add(node);
    decisions.push({ kind: 'buffer', node, reason });
  };
  const cost = new Map<Node, number>();

  const depth = new Map<Node, number>();
  for (const n of order) {
    if (lowerKind(n) !== 'expr') {
      mat.add(n);
      continue;
    }
    const live = n.inputs.filter((x) => !mat.has(x));
    const own = costOf(n.op);
    let c = own;
    let d = 0;
    for (const x of live) {
      c += cost.get(x) ?? 0;
      d = Math.max(d, depth.get(x) ?? 0);
    }
    d += 1;
    cost.set(n, c);
    depth.set(n, d);
    if (roots.has(n)) {
      mat.add(n);
      continue;
    }
    const users = cons.get(n) ?? [];
    if (users.length > 1 && c > MAX_RECOMPUTE_COST) {
      buffer(n, `used by ${users.length} consumers, recompute cost ${c}`);
    } else if (c > 0 && users.some((u) => u.op === 'broadcast')) {
      buffer(n, 'broadcast would recompute it per copy');
    } else if (users.some(readsPlainBuffers)) {
      buffer(n, `${users.find(readsPlainBuffers)!.op} reads plain buffers`);
    } else if (d >= MAX_INLINE_DEPTH) {
      buffer(n, `expression depth ${d} reached the limit`);
    } else if (c > MAX_KERNEL_COST) {
      buffer(n, `expression cost ${c} passed the kernel bound ${MAX_KERNEL_COST}`);
    }
  }
  materializeComparedMaxInputs(order, cons, mat, buffer);
  materializeMatmulOperands(order, mat, buffer);
  const anchorOf = fuseEpilogues(order, cons, roots, mat, decisions);
  const heads = order.filter((n) => mat.has(n) && lowerKind(n) !== 'leaf');
  const isMap = (h: Node) => !anchorOf.has(h) && lowerKind(h) === 'expr';
  const kernelCost = (h: Node) => Math.max(1, cost.get(h) ?? 1);
  const kernels = groupSiblings(
    heads,
    { isMap, costOf: kernelCost, mat, bound: MAX_KERNEL_COST, apart },
    decisions,
  );
  const notes = decisions.map((d) => describeDecision(d, nodeTitle));
  return { order, materialized: mat, heads, kernels, anchorOf, decisions, notes };
}

/**
 * max's gradient finds the arg-max by comparing x with the stored max: the two must see the same
 * float32 value of x, bit for bit. Recomputed in two kernels x may round differently (wasm's f32
 * lanes against f64-then-round), no element matches and the tie count is 0 (NaN gradients, wasm
 * 'all', fuzz seed 21126): an x both reduced by max and compared gets one stored copy.
 */
function materializeComparedMaxInputs(
  order: readonly Node[],
  cons: ReadonlyMap<Node, Node[]>,
  mat: ReadonlySet<Node>,
  buffer: (n: Node, reason: string) => void,
): void {
  for (const n of order) {
    const x = n.inputs[0];
    if (n.op !== 'max' || !x || mat.has(x) || lowerKind(x) !== 'expr') continue;
    if ((cons.get(x) ?? []).some((u) => u.op === 'eq')) {
      buffer(x, 'compared with its max (the gradient mask): one stored copy for both');
    }
  }
}

/**
 * A matmul operand must be a strided view of a buffer (any batch strides: head splits and partial
 * batch broadcasts are read in place). A view of a computed value (a head split of x·W + b) gets
 * the value a buffer, no larger than the operand, so its producer (here the q/k/v matmul's bias
 * epilogue) writes it and the matmul reads the view in place; anything else is computed (copied)
 * into a buffer of its own.
 */
function materializeMatmulOperands(
  order: readonly Node[],
  mat: ReadonlySet<Node>,
  buffer: (n: Node, reason: string) => void,
): void {
  for (const n of order) {
    if (n.op !== 'matmul') continue;
    for (const x of n.inputs) {
      if (stridedOf(x, (y) => mat.has(y))) continue;
      const base = viewBase(x);
      if (base !== x && base.size <= x.size && stridedOf(x, (y) => mat.has(y) || y === base)) {
        buffer(base, `a matmul reads ${nodeTitle(x)} as a strided view of it`);
      } else buffer(x, 'matmul operand is not a strided view');
    }
  }
}

/** Whether a reshape's one user is elementwise over its shape (so the epilogue goes on past it). */
function feedsEpilogue(n: Node, cons: ReadonlyMap<Node, Node[]>): boolean {
  const users = cons.get(n) ?? [];
  const next = users[0];
  return (
    users.length === 1 &&
    next !== undefined &&
    lowerKind(next) === 'expr' &&
    !factsOf(next.op).view &&
    next.shape.join() === n.shape.join()
  );
}

/**
 * Grow single-consumer elementwise chains off each matmul/reduce into its epilogue, at most
 * MAX_EPILOGUE steps: a fan-in sum of many matmuls (a weight used in every block) is one such chain,
 * and unbounded it became one expression as deep as the model.
 */
function fuseEpilogues(
  order: readonly Node[],
  cons: ReadonlyMap<Node, Node[]>,
  roots: ReadonlySet<Node>,
  mat: Set<Node>,
  decisions: FusionDecision[],
): Map<Node, Node> {
  const anchorOf = new Map<Node, Node>();
  // A node joins at most one epilogue: in f(sum(x), sum(y)) only the first sum gets f.
  const claimed = new Set<Node>();
  for (const a of order) {
    const kind = kindOfNode(a);
    if (!kind || !KINDS[kind].epilogue) continue;
    let head = a;
    for (let steps = 0; ; steps++) {
      const users = cons.get(head) ?? [];
      const next = users[0];
      if (roots.has(head) || users.length !== 1 || !next) break;
      // A reshape keeps the elements' order, so an epilogue may pass it where the kind allows.
      const reshape =
        !!KINDS[kind].epiloguePastReshape && next.op === 'reshape' && feedsEpilogue(next, cons);
      if (
        lowerKind(next) !== 'expr' ||
        (factsOf(next.op).view && !reshape) ||
        claimed.has(next) ||
        (next.shape.join() !== head.shape.join() && !reshape)
      ) {
        break;
      }
      if (steps >= MAX_EPILOGUE) {
        const why = `epilogue of ${nodeTitle(a)} stops before ${nodeTitle(next)}: ${MAX_EPILOGUE} steps`;
        decisions.push({ kind: 'split', node: next, reason: why });
        break;
      }
      if (head !== a) mat.delete(head);
      mat.delete(a);
      mat.add(next);
      head = next;
      claimed.add(next);
    }
    anchorOf.set(head, a);
    if (head !== a) {
      const reason = `${nodeTitle(a)} → ${nodeTitle(head)} in one kernel`;
      decisions.push({ kind: 'epilogue', node: head, reason });
    }
  }
  return anchorOf;
}
