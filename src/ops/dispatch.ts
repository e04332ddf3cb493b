// Typed access to the op table from a node: its attributes, eval, VJP rules, lowering and facts.
// The one place where a node's stored attributes are read as its op's attribute type.
import type { Attrs, Node } from '../ir/node.ts';
import type { Expr } from '../schedule/expr.ts';
import type { Inferred, LowerCtx, OpDef, OpFacts } from './def.ts';
import type { OpAttrs, OpName } from './names.ts';
import { OPS } from './table.ts';

/** A node known to be of op P, with its attributes typed. */
export type NodeOf<P extends OpName> = Node & { readonly op: P; readonly attrs: OpAttrs[P] };

export function opDef<P extends OpName>(op: P): OpDef<P> {
  return OPS[op];
}

/** Narrow a node to op P (its attributes then have P's type). */
export function isOp<P extends OpName>(n: Node, op: P): n is NodeOf<P> {
  return n.op === op;
}

/**
 * The attributes of `n` as op P's. Sound because a node's attributes were checked against its op
 * when it was built (Graph.apply runs the op's infer on them).
 */
export function attrsAs<P extends OpName>(n: Node, _op: P): OpAttrs[P] {
  return n.attrs as OpAttrs[P];
}

export function inferOp<P extends OpName>(op: P, ins: readonly Node[], attrs: Attrs): Inferred {
  return opDef(op).infer(ins, attrs as OpAttrs[P]);
}

export function evalNode(n: Node, ins: readonly Float64Array[]): Float64Array {
  return evalAs(n, n.op, ins);
}

function evalAs<P extends OpName>(n: Node, op: P, ins: readonly Float64Array[]): Float64Array {
  return wrapI32(n, opDef(op).eval(ins, attrsAs(n, op), n));
}

/**
 * i32 results wrap modulo 2³² (two's complement), as in PyTorch, JAX and every target. The eval
 * rules compute exactly in float64 (integers below 2⁵³; mul uses Math.imul), so wrapping the
 * result gives the same bits as int32 arithmetic step by step.
 */
function wrapI32(n: Node, out: Float64Array): Float64Array {
  if (n.dtype === 'i32') for (let i = 0; i < out.length; i++) out[i] = out[i]! | 0;
  return out;
}

/** One input's derivative rule, bound to the node's attributes. */
export interface BoundVjp {
  readonly rule: (ct: Node, out: Node, ins: readonly Node[], i: number) => Node | null;
  readonly step: string;
}

/** The node's derivative rule for input i (a variadic op's last rule serves the rest), or null. */
export function vjpOf(n: Node, i: number): BoundVjp | null {
  return vjpAs(n, n.op, i);
}

function vjpAs<P extends OpName>(n: Node, op: P, i: number): BoundVjp | null {
  const def = opDef(op);
  if (!def.vjp) return null;
  const attrs = attrsAs(n, op);
  const steps = typeof def.vjp === 'function' ? def.vjp(attrs) : def.vjp;
  const s = steps[Math.min(i, steps.length - 1)];
  if (!s) return null;
  return { rule: (ct, out, ins, k) => s.rule(ct, out, ins, attrs, k), step: s.step };
}

export function hasVjp(op: OpName): boolean {
  return opDef(op).vjp !== null;
}

/** The kernel expression of an inlinable node, or null when it anchors a kernel of its own. */
export function lowerExpr(n: Node, ctx: LowerCtx): Expr | null {
  return lowerAs(n, n.op, ctx);
}

function lowerAs<P extends OpName>(n: Node, op: P, ctx: LowerCtx): Expr | null {
  const l = opDef(op).lower;
  return l.kind === 'expr' ? l.expr(ctx, attrsAs(n, op)) : null;
}

/** The facts that do not depend on attributes. */
export type PlainFacts = Pick<
  OpFacts<OpName>,
  'cost' | 'view' | 'reindex' | 'layout' | 'literal' | 'noFold' | 'quietName'
>;

/** The op's plain facts (fields the entry leaves out are absent). */
export function factsOf<P extends OpName>(op: P): PlainFacts {
  return opDef(op).facts ?? {};
}

/** Per-element cost when inlined into a loop (1 unless the entry says otherwise). */
export const costOf = (op: OpName): number => factsOf(op).cost ?? 1;

/** Are the node's values finite by construction (see OpFacts.finite)? */
export function finiteByConstruction(n: Node): boolean {
  return finiteAs(n, n.op);
}

function finiteAs<P extends OpName>(n: Node, op: P): boolean {
  return opDef(op).facts?.finite?.(attrsAs(n, op)) ?? false;
}

/** The value of `n` when its inputs are uniform constants `vals` (count: reduced elements). */
export function uniformValue(n: Node, vals: readonly number[], count: number): number | null {
  return uniformAs(n, n.op, vals, count);
}

function uniformAs<P extends OpName>(
  n: Node,
  op: P,
  vals: readonly number[],
  count: number,
): number | null {
  const u = opDef(op).facts?.uniform;
  if (!u) return null;
  if (u === 'first') return vals[0] ?? null;
  const attrs = attrsAs(n, op);
  if (u === 'pointwise') {
    return wrapI32(
      n,
      opDef(op).eval(
        vals.map((v) => Float64Array.of(v)),
        attrs,
        n,
      ),
    )[0]!;
  }
  return u(vals, count, attrs);
}
