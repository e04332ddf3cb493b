// The shape of one op-table entry: shape/dtype rule, float64 reference, VJP rules, lowering, and
// the facts the passes, the fuser and the namer read — all of an op's knowledge in one place.
import type { DType } from '../ir/dtype.ts';
import type { Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import type { Expr } from '../schedule/expr.ts';
import type { KindLowering } from '../schedule/kinds/index.ts';
import type { OpAttrs, OpName } from './names.ts';

/** A shape and dtype, or a sentence saying why the operands do not fit. */
export type Inferred = { readonly shape: Shape; readonly dtype: DType } | string;

/** What lowering an inlinable op sees: its output multi-index and a way to read its inputs. */
export interface LowerCtx {
  readonly node: Node;
  readonly idx: readonly Expr[];
  input(i: number, idx: readonly Expr[]): Expr;
}

/** The accumulator of a reduce-like op: its start value and how one element is folded in. */
export type ReduceAcc = 'sum' | 'max';

/**
 * How an op becomes kernel code: `expr` ops inline into a fused loop body (elementwise and views);
 * the others anchor a kernel of a kernel kind (src/schedule/kinds/: each kind defines its fact).
 */
export type Lowering<P extends OpName> =
  | { readonly kind: 'expr'; readonly expr: (ctx: LowerCtx, attrs: OpAttrs[P]) => Expr }
  | { readonly kind: 'leaf' }
  | KindLowering<OpAttrs[P]>;

/**
 * The cotangent of input `i` given the output cotangent `ct` (null: none flows there). Each input
 * has its own rule, so grad builds each cotangent directly in the graph under its own provenance.
 */
export type VjpRule<P extends OpName> = (
  ct: Node,
  out: Node,
  ins: readonly Node[],
  attrs: OpAttrs[P],
  i: number,
) => Node | null;

/** One input's derivative rule and its chain-rule step (`{0}` `{1}` inputs, `{out}` the output). */
export interface VjpStep<P extends OpName> {
  readonly rule: VjpRule<P>;
  readonly step: string;
}

/** A uniform constant's value through the op, given its inputs' values and the reduced count. */
export type UniformFold<P extends OpName> =
  /** Evaluate the op on one element of each input (elementwise ops). */
  | 'pointwise'
  /** The output's elements are the input's elements (views): the value passes through. */
  | 'first'
  | ((vals: readonly number[], count: number, attrs: OpAttrs[P]) => number | null);

/** What the passes, the fuser and the namer know about an op. Absent fields are false / 1. */
export interface OpFacts<P extends OpName> {
  /** Cost of one element inlined into a loop: 0 views and free values, 4 transcendental. */
  readonly cost?: number;
  /** Picks input elements by index arithmetic (a view): never an epilogue step. */
  readonly view?: boolean;
  /** Reads its input at another index than its own (a view that moves elements). */
  readonly reindex?: boolean;
  /** A pure relayout (reshape, permute, broadcast): same values, new shape. */
  readonly layout?: boolean;
  /** A value known at compile time (constant, literal tensor, iota): folding reads it. */
  readonly literal?: boolean;
  /** Must run at run time even on literal inputs (random draws). */
  readonly noFold?: boolean;
  /** Values finite by construction (fed leaves, iota, random draws): lets x·0 → 0 fire. */
  readonly finite?: (attrs: OpAttrs[P]) => boolean;
  /** How constant folding sees a uniform constant through this op (absent: not folded so). */
  readonly uniform?: UniformFold<P>;
  /** Left out of kernel names (relayouts, casts, constants say nothing about the computation). */
  readonly quietName?: boolean;
}

export interface OpDef<P extends OpName> {
  /** Number of inputs; -1 for variadic (concat). */
  readonly arity: number;
  readonly infer: (ins: readonly Node[], attrs: OpAttrs[P]) => Inferred;
  readonly eval: (ins: readonly Float64Array[], attrs: OpAttrs[P], node: Node) => Float64Array;
  /**
   * One rule per input (a variadic op's last rule serves the rest); a function of the attributes
   * where the rules depend on them (custom_vjp); null: no derivative (comparisons, indices).
   */
  readonly vjp: readonly VjpStep<P>[] | ((attrs: OpAttrs[P]) => readonly VjpStep<P>[]) | null;
  readonly lower: Lowering<P>;
  readonly facts?: OpFacts<P>;
}

export type OpTable = { readonly [P in OpName]: OpDef<P> };
