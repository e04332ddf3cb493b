// The map kernel: one loop nest over a shape, storing elementwise expressions (fused chains,
// broadcasts and other views as index arithmetic). Heads whose op lowers as an `expr` get one.
import * as E from '../expr.ts';
import type { Store } from '../kernel.ts';
import type { KernelBase, KindDef } from './kind.ts';
import { count, dims, ivars } from './kind.ts';

/** for idx in shape: stores at idx. Loop variables are i0, i1, … */
export interface MapKernel extends KernelBase {
  readonly kind: 'map';
  readonly shape: readonly number[];
  readonly stores: readonly Store[];
}

export const map: KindDef<MapKernel> = {
  lower: (x) => ({ kind: 'map', shape: x.head.shape, stores: x.stores(ivars('i', x.head.rank)) }),
  exprs: (k) => k.stores.map((s) => s.expr),
  operands: () => [],
  writes: (k) => k.stores.map((s) => s.buf),
  storeIndex: (k) => E.flatIndex(ivars('i', k.shape.length), k.shape),
  work: (k) => count(k.shape),
  shape: (k) => dims(k.shape),
};
