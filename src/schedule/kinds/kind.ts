// What every kernel kind provides (src/schedule/kinds/<kind>.ts): the stages that handle kernels
// of any kind — lowering, the buffer sets, the memory plan, the printer, fusion — ask these.
import type { Node } from '../../ir/node.ts';
import * as E from '../expr.ts';
import type { Expr } from '../expr.ts';
import type { FusionPlan } from '../fuse.ts';
import type { Store } from '../kernel.ts';

/** The fields every kernel has, whatever its kind (filled in by lowerHead). */
export interface KernelBase {
  readonly name: string;
  /** What it fused, chain-rule steps and user lines: shown above the kernel in generated code. */
  readonly notes: readonly string[];
  /** The graph ops it computes, in order. */
  readonly ops: readonly string[];
}

/** What lowering one kernel head sees (built by src/schedule/lower.ts). */
export interface LowerIn {
  /** The node of this kind the kernel is built around (a map kernel's: its head). */
  readonly node: Node;
  /** The node the kernel stores: `node`, or the last step of an epilogue fused onto it. */
  readonly head: Node;
  /** The head's buffer. */
  readonly buf: string;
  readonly bufOf: (n: Node) => string;
  readonly plan: FusionPlan;
  /** A node's value at a multi-index: inlined, or loaded from its buffer. */
  value(n: Node, idx: readonly Expr[]): Expr;
  /** The head's stores at `idx` (the accumulator, through the epilogue fused onto it). */
  stores(idx: readonly Expr[]): Store[];
}

/** A kind's entry; K is its kernel type (with its `kind` tag). */
export interface KindDef<K extends KernelBase & { readonly kind: string }> {
  /** The kernel for one head, without the KernelBase fields. */
  lower(x: LowerIn): Omit<K, keyof KernelBase>;
  /** Every scalar expression of the kernel (loads are found in these). */
  exprs(k: K): readonly Expr[];
  /** Buffers read other than through loads in its expressions (matmul operands, …). */
  operands(k: K): readonly string[];
  /** Buffers it writes. */
  writes(k: K): readonly string[];
  /** The flat index its stores write at (absent: the kernel has no store list). */
  storeIndex?(k: K): Expr;
  /** Its work: innermost iterations (a matmul's multiply-adds; the wasm size rule reads it). */
  work(k: K): number;
  /** Its iteration space for the printed program, e.g. "[4] Σ over [8]". */
  shape(k: K): string;
  /** Fusion: a single-consumer elementwise chain after it joins as its epilogue. */
  readonly epilogue?: boolean;
  /**
   * Fusion: the epilogue may pass a reshape followed by elementwise steps (the kernel then stores
   * at the same flat index through the reshaped shape: x·W reshaped back to [B, T, D], then + b).
   */
  readonly epiloguePastReshape?: boolean;
  /** Fusion: it reads its inputs from plain buffers (producers are never inlined into it). */
  readonly plainInputs?: boolean;
}

export const count = (s: readonly number[]): number => s.reduce((a, d) => a * d, 1);

export const dims = (s: readonly number[]): string => `[${s.join(',')}]`;

/** Loop variables `${prefix}0`, `${prefix}1`, … */
export const ivars = (prefix: string, n: number): Expr[] =>
  Array.from({ length: n }, (_, i) => E.ivar(`${prefix}${i}`));
