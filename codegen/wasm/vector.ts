// Long elementwise maps in f32x4: a map whose every load reads either the element being stored
// (the same flat index) or one fixed element (a scalar, splatted) runs as one flat loop, four
// elements at a time, with a scalar tail. The optimizer updates (Adam, SGD with momentum) are such
// maps. Arithmetic is float32 here (the TS kernel computes in float64 and rounds once at the store).
import type { Expr } from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import { mapExpr, storeIndex } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP } from './encoder.ts';
import { LaneEmitter, laneRefusal } from './lanes.ts';
import { pushAddress, rebase, ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import * as E from '../../src/schedule/expr.ts';

/** Value of an index expression without variables (a fixed element), or null. */
export function constIndex(e: Expr): number | null {
  if (e.k === 'num') return e.v;
  if (e.k !== 'bin') return null;
  const [a, b] = [constIndex(e.a), constIndex(e.b)];
  if (a === null || b === null) return null;
  if (e.op === 'add') return a + b;
  if (e.op === 'mul') return a * b;
  if (e.op === 'div') return Math.floor(a / b);
  if (e.op === 'mod') return a % b;
  return null;
}

/** Why a map cannot run four lanes at a time over its flat index, or null when it can. */
export function vectorRefusal(k: MapKernel, dtypeOf: (buf: string) => string): string | null {
  const id = JSON.stringify(storeIndex(k));
  const why = laneRefusal(
    k.stores.map((s) => s.expr),
    (e) => {
      if (dtypeOf(e.buf) !== 'f32' || e.t !== 'f32') return `load of ${e.buf} is not f32`;
      if (JSON.stringify(e.at) !== id && constIndex(e.at) === null)
        return `load of ${e.buf} is neither elementwise nor a scalar`;
      return null;
    },
  );
  if (why) return why;
  if (k.stores.some((s) => dtypeOf(s.buf) !== 'f32' || s.expr.t !== 'f32'))
    return 'a store is not f32';
  return null;
}

/** The map as a flat f32x4 loop over all elements, plus a scalar float64 tail. */
export function renderVectorMap(
  k: MapKernel,
  place: (buf: string) => BufferPlace,
  fn: (n: ImportName) => number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const size = k.shape.reduce((a, d) => a * d, 1);
  const body = Math.floor(size / 4) * 4;
  const at = f.local('i32'); // byte offset of the current element (4 lanes)
  const id = JSON.stringify(storeIndex(k));
  const lanes = new LaneEmitter(
    f,
    k.stores.map((s) => s.expr),
    (e) => {
      const p = place(e.buf);
      const c = constIndex(e.at);
      if (c !== null && JSON.stringify(e.at) !== id) {
        pushAddress(f, p, 4 * c);
        f.splatLoad();
      } else f.v128Load(rebase(f.get(at), p));
    },
    undefined,
    undefined,
    fn,
  );
  if (body > 0) {
    // Shared values first, then the stores, in the TS kernel's order.
    f.i32(0).set(at);
    f.op(OP.loop, 0x40);
    lanes.hoist(k.stores.map((s) => s.expr));
    for (const s of k.stores) {
      const offset = rebase(f.get(at), place(s.buf));
      lanes.emit(s.expr);
      f.v128Store(offset);
    }
    f.get(at)
      .i32(16)
      .op(OP.i32_add)
      .tee(at)
      .i32(4 * body)
      .op(OP.i32_lt_s)
      .op(OP.br_if, 0);
    f.op(OP.end);
  }
  if (body < size) {
    // The last size mod 4 elements, one at a time.
    const flat = f.local('i32');
    const id = storeIndex(k);
    const memo = new Map<Expr, Expr>();
    const stores = k.stores.map((s) => ({ buf: s.buf, expr: flatten(s.expr, id, memo) }));
    const tail = new ScalarEmitter(
      { f, place, vars: () => flat, fn },
      stores.map((s) => s.expr),
    );
    f.forRange(flat, body, size, 1, () => tail.stores(stores, E.ivar('flat')));
  }
  return f;
}

/** Replace every elementwise index by the flat variable `flat` (the tail loop is 1-D). */
function flatten(e: Expr, id: Expr, memo: Map<Expr, Expr>): Expr {
  const key = JSON.stringify(id);
  const flat = E.ivar('flat');
  return mapExpr(
    e,
    (x) => (x.k === 'load' && JSON.stringify(x.at) === key ? { ...x, at: flat } : null),
    memo,
  );
}
