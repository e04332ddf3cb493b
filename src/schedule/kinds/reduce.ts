// The reduce kernel: per output element, an accumulator folded over the reduced axes, then the
// stores (an epilogue of elementwise steps on the accumulator). Ops lower to it by a `reduce` fact.
import type { Node } from '../../ir/node.ts';
import type { ReduceAcc } from '../../ops/def.ts';
import { attrsAs, opDef } from '../../ops/dispatch.ts';
import type { OpName } from '../../ops/names.ts';
import * as E from '../expr.ts';
import type { Expr } from '../expr.ts';
import type { Store } from '../kernel.ts';
import type { KernelBase, KindDef } from './kind.ts';
import { count, dims, ivars } from './kind.ts';

/** The op table's fact for a reduce-like op: its accumulator and the axes it reduces. */
export interface ReduceFact<A> {
  readonly kind: 'reduce';
  readonly acc: ReduceAcc;
  readonly axes: (attrs: A) => readonly number[];
}

/**
 * for o in outShape: acc = init; for r in redShape: acc ⊕= value; then stores (epilogue on acc).
 * value sees o0… and r0…; stores see o0… and acc.
 */
export interface ReduceKernel extends KernelBase {
  readonly kind: 'reduce';
  readonly op: ReduceAcc;
  readonly outShape: readonly number[];
  readonly redShape: readonly number[];
  readonly value: Expr;
  readonly stores: readonly Store[];
}

/** A reduce-like node's accumulator and reduced axes. */
function factOf<P extends OpName>(n: Node, op: P): { acc: ReduceAcc; axes: readonly number[] } {
  const l = opDef(op).lower;
  if (l.kind !== 'reduce') throw new Error(`internal: ${op} is not reduce-like`);
  return { acc: l.acc, axes: l.axes(attrsAs(n, op)) };
}

export const reduce: KindDef<ReduceKernel> = {
  lower: (x) => {
    const red = x.node;
    const { acc, axes } = factOf(red, red.op);
    const src = red.inputs[0]!;
    const o = ivars('o', red.rank);
    const rv = ivars('r', axes.length);
    let ko = 0;
    let kr = 0;
    const full = src.shape.map((_, d) => (axes.includes(d) ? rv[kr++]! : o[ko++]!));
    const value = x.value(src, full);
    return {
      kind: 'reduce',
      op: acc,
      outShape: red.shape,
      redShape: axes.map((d) => src.shape[d]!),
      value,
      stores: x.stores(o),
    };
  },
  exprs: (k) => [k.value, ...k.stores.map((s) => s.expr)],
  operands: () => [],
  writes: (k) => k.stores.map((s) => s.buf),
  storeIndex: (k) => E.flatIndex(ivars('o', k.outShape.length), k.outShape),
  work: (k) => count(k.outShape) * count(k.redShape),
  shape: (k) => `${dims(k.outShape)} ${k.op === 'sum' ? 'Σ' : 'max'} over ${dims(k.redShape)}`,
  epilogue: true,
};
