// The scan kernel: a running fold along one axis (cumsum), O(n) per row. Ops lower to it by a
// `scan` fact; the TS and WGSL renderers walk each row once (codegen/*/kernels.ts).
import type { Node } from '../../ir/node.ts';
import { attrsAs, opDef } from '../../ops/dispatch.ts';
import type { OpName } from '../../ops/names.ts';
import * as E from '../expr.ts';
import type { Expr } from '../expr.ts';
import type { Store } from '../kernel.ts';
import type { KernelBase, KindDef } from './kind.ts';
import { count, dims, ivars } from './kind.ts';

/** The op table's fact for a scan op: its fold, axis and direction. */
export interface ScanFact<A> {
  /** A running fold along one axis (cumsum): each output element is the fold so far. */
  readonly kind: 'scan';
  readonly acc: 'sum';
  readonly axis: (attrs: A) => number;
  readonly reverse: (attrs: A) => boolean;
}

/**
 * A running sum along `axis` of `shape`: for o over the other axes: acc = 0; for r0 along the axis
 * (from the end when `reverse`): acc += value; then stores at (o with r0 at `axis`). value and
 * stores see o0… (the other axes, in order) and r0. O(n) work per row.
 */
export interface ScanKernel extends KernelBase {
  readonly kind: 'scan';
  readonly op: 'sum';
  readonly shape: readonly number[];
  readonly axis: number;
  readonly reverse: boolean;
  readonly value: Expr;
  readonly stores: readonly Store[];
}

/** A scan's element index (rank `rank`): the other axes' o0… with r0 at the scanned axis. */
export function scanIndex(rank: number, axis: number): Expr[] {
  const o = ivars('o', rank - 1);
  return [...o.slice(0, axis), E.ivar('r0'), ...o.slice(axis)];
}

function factOf<P extends OpName>(n: Node, op: P): { axis: number; reverse: boolean } {
  const l = opDef(op).lower;
  if (l.kind !== 'scan') throw new Error(`internal: ${op} is not a scan`);
  const attrs = attrsAs(n, op);
  return { axis: l.axis(attrs), reverse: l.reverse(attrs) };
}

export const scan: KindDef<ScanKernel> = {
  lower: (x) => {
    const n = x.node;
    const s = factOf(n, n.op);
    const value = x.value(n.inputs[0]!, scanIndex(n.rank, s.axis));
    return {
      kind: 'scan',
      op: 'sum',
      shape: n.shape,
      ...s,
      value,
      stores: [{ buf: x.buf, expr: E.accOf(n.dtype) }],
    };
  },
  exprs: (k) => [k.value, ...k.stores.map((s) => s.expr)],
  operands: () => [],
  writes: (k) => k.stores.map((s) => s.buf),
  storeIndex: (k) => E.flatIndex(scanIndex(k.shape.length, k.axis), k.shape),
  work: (k) => count(k.shape),
  shape: (k) =>
    `${dims(k.shape)} running Σ along axis ${k.axis}${k.reverse ? ' (from the end)' : ''}`,
};
