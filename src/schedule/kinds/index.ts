// The kernel-kind registry: the one list of kernel kinds. Everything a kind means lives in its
// own file here; the scheduler, printer and memory plan ask `kindOf(k)`, and each renderer keeps
// one table typed `{ [K in KernelKind]: … }`, so a kind a renderer lacks is a tsc error.
//
// How to add a kernel kind (say `sort`):
//   1. kinds/sort.ts: its kernel type (`kind: 'sort'`), its op-table fact, and its KindDef
//      (lowering, expressions, buffers, store index, printed shape, fusion flags).
//   2. This file: one entry in KINDS and, when ops lower to it by a fact, one in KindLowering.
//   3. The op entry (src/ops/…): `lower: { kind: 'sort', … }`.
//   4. codegen/ts/kernels.ts and codegen/wgsl/kernels.ts: one entry each (tsc asks for them).
//   The wasm accelerator's table (codegen/wasm/module.ts) is partial: a kind without wasm code
//   runs its TypeScript kernel.
import type { Node } from '../../ir/node.ts';
import { OPS } from '../../ops/table.ts';
import type { Store } from '../kernel.ts';
import type { KindDef, LowerIn } from './kind.ts';
import { map } from './map.ts';
import { matmul } from './matmul.ts';
import type { MatmulFact } from './matmul.ts';
import { reduce } from './reduce.ts';
import type { ReduceFact } from './reduce.ts';
import { scan } from './scan.ts';
import type { ScanFact } from './scan.ts';
import { scatter } from './scatter.ts';
import type { ScatterFact } from './scatter.ts';

export const KINDS = { map, reduce, scan, matmul, scatter };

type Defs = typeof KINDS;
export type KernelKind = keyof Defs;
export type KernelOf<K extends KernelKind> = Defs[K] extends KindDef<infer T> ? T : never;
export type Kernel = { [K in KernelKind]: KernelOf<K> }[KernelKind];
/** Kernels with a store list (every kind but scatter). */
export type StoringKernel = Extract<Kernel, { readonly stores: readonly Store[] }>;

/** How an op anchors a kernel of a kind (the op table's `lower` facts other than expr/leaf). */
export type KindLowering<A> = ReduceFact<A> | ScanFact<A> | MatmulFact | ScatterFact;

/** A table with one entry per kernel kind, each taking that kind's kernel first. */
export type KindTable<A extends unknown[], R> = {
  readonly [K in KernelKind]: (k: KernelOf<K>, ...args: A) => R;
};

/**
 * The entry of `k`'s kind in a table over the kinds (partial tables: undefined when absent).
 * TypeScript cannot relate `k.kind` to the entry's parameter type, hence the one cast.
 */
export function entryOf<A extends unknown[], R>(
  table: Partial<KindTable<A, R>>,
  k: Kernel,
): ((k: Kernel, ...args: A) => R) | undefined {
  return table[k.kind] as ((k: Kernel, ...args: A) => R) | undefined;
}

/** The registry's entry for a kernel's kind (the same one cast as entryOf, for the same reason). */
export function kindOf(k: Kernel): KindDef<Kernel> {
  return KINDS[k.kind] as KindDef<Kernel>;
}

/** The kind of kernel a node heads: an `expr` op heads a map; leaves head none. */
export function kindOfNode(n: Node): KernelKind | null {
  const l = OPS[n.op].lower.kind;
  return l === 'expr' ? 'map' : l === 'leaf' ? null : l;
}

/** Lower one kernel head of kind `kind` (the KernelBase fields left empty for lowerHead). */
export function lowerByKind(kind: KernelKind, x: LowerIn): Kernel {
  return { name: '', notes: [], ops: [], ...KINDS[kind].lower(x) } as Kernel;
}
