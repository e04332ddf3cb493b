// The shape of one op-table entry: shape/dtype rule, float64 reference, VJP rule and lowering.
import type { DType } from '../ir/dtype.ts';
import type { Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import type { Expr } from '../schedule/expr.ts';
import type { OpAttrs, OpName } from './names.ts';

/** A shape and dtype, or a sentence saying why the operands do not fit. */
export type Inferred = { readonly shape: Shape; readonly dtype: DType } | string;

/** What lowering an inlinable op sees: its output multi-index and a way to read its inputs. */
export interface LowerCtx {
  readonly node: Node;
  readonly idx: readonly Expr[];
  input(i: number, idx: readonly Expr[]): Expr;
}

/**
 * How an op becomes kernel code: `expr` ops inline into a fused loop body (elementwise and views);
 * the others anchor a kernel of their own kind.
 */
export type Lowering<P extends OpName> =
  | { readonly kind: 'expr'; readonly expr: (ctx: LowerCtx, attrs: OpAttrs[P]) => Expr }
  | { readonly kind: 'reduce' | 'matmul' | 'scatter' | 'leaf' };

/** Cotangent of each input (null: none flows there) given the output cotangent `ct`. */
export type VjpRule<P extends OpName> = (
  ct: Node,
  out: Node,
  ins: readonly Node[],
  attrs: OpAttrs[P],
) => readonly (Node | null)[];

export interface OpDef<P extends OpName> {
  /** Number of inputs; -1 for variadic (concat). */
  readonly arity: number;
  readonly infer: (ins: readonly Node[], attrs: OpAttrs[P]) => Inferred;
  readonly eval: (ins: readonly Float64Array[], attrs: OpAttrs[P], node: Node) => Float64Array;
  /** null: the op has no derivative (comparisons, indices, random draws). */
  readonly vjp: VjpRule<P> | null;
  /** The chain-rule step per input, `{0}` `{1}` naming inputs and `{out}` the output. */
  readonly vjpDoc?: readonly string[] | ((attrs: OpAttrs[P]) => readonly string[]);
  readonly lower: Lowering<P>;
}

export type OpTable = { readonly [P in OpName]: OpDef<P> };
