// Lowering: turn each kernel head of the fusion plan into a kernel of the kernel IR, inlining
// every non-materialized producer as a scalar expression over the loop indices.
import type { Node } from '../ir/node.ts';
import { lowerExpr } from '../ops/dispatch.ts';
import type { LowerCtx } from '../ops/def.ts';
import * as E from './expr.ts';
import type { Expr } from './expr.ts';
import type { FusionPlan } from './fuse.ts';
import type { Kernel } from './kernel.ts';
import { kindOfNode, lowerByKind } from './kinds/index.ts';
import { ExprIds } from './walk.ts';

/** Inlines producers into one kernel body; memoized so shared subexpressions stay shared. */
class Inliner {
  private readonly memo = new Map<string, Expr>();
  private readonly ids = new ExprIds();
  readonly inlined = new Set<Node>();

  constructor(
    private readonly plan: FusionPlan,
    private readonly bufOf: (n: Node) => string,
    private readonly accFor: Node | null,
    /** Heads computed earlier in the same loop (the plan only groups element-wise readers). */
    private readonly siblings: ReadonlyMap<Node, Expr>,
  ) {}

  value(n: Node, idx: readonly Expr[]): Expr {
    if (n === this.accFor) return E.accOf(n.dtype);
    const sibling = this.siblings.get(n);
    if (sibling) return sibling;
    if (this.plan.materialized.has(n)) {
      return E.load(this.bufOf(n), E.flatIndex(idx, n.shape), n.dtype);
    }
    // Small key: the node and the structural ids of its index expressions.
    const key = `${n.id}:${idx.map((e) => this.ids.of(e)).join(',')}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    this.inlined.add(n);
    const ctx: LowerCtx = { node: n, idx, input: (i, at) => this.value(n.inputs[i]!, at) };
    const expr = lowerExpr(n, ctx);
    if (!expr) throw new Error(`internal: ${n.op} must have a buffer`);
    this.memo.set(key, expr);
    return expr;
  }

  /** The expression of a kernel head itself (bypassing its own buffer). */
  head(n: Node, idx: readonly Expr[]): Expr {
    if (n === this.accFor) return E.accOf(n.dtype);
    this.inlined.add(n);
    const ctx: LowerCtx = { node: n, idx, input: (i, at) => this.value(n.inputs[i]!, at) };
    const expr = lowerExpr(n, ctx);
    if (!expr) throw new Error(`internal: ${n.op} is not an expression`);
    return expr;
  }
}

export interface Lowered {
  readonly kernel: Kernel;
  /** The nodes computed inside the kernel (for names and provenance notes). */
  readonly nodes: readonly Node[];
}

/** Lower one kernel head; `siblings` are the values of earlier heads of the same loop. */
export function lowerHead(
  head: Node,
  plan: FusionPlan,
  bufOf: (n: Node) => string,
  name: string,
  siblings: ReadonlyMap<Node, Expr> = new Map(),
): Lowered {
  const anchor = plan.anchorOf.get(head) ?? null;
  const node = anchor ?? head;
  const kind = kindOfNode(node);
  if (!kind) throw new Error(`internal: ${node.op} heads no kernel`);
  const inl = new Inliner(plan, bufOf, anchor, siblings);
  const buf = bufOf(head);
  const kernel = lowerByKind(kind, {
    node,
    head,
    buf,
    bufOf,
    plan,
    value: (n, idx) => inl.value(n, idx),
    stores: (idx) => [{ buf, expr: inl.head(head, idx) }],
  });
  const nodes = [...new Set([...(anchor ? [anchor] : []), ...inl.inlined])].sort(
    (p, q) => p.id - q.id,
  );
  return { kernel: { ...kernel, name, ops: nodes.map((n) => n.op) }, nodes };
}
