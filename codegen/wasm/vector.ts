// Long elementwise maps in f32x4: a map whose every load reads either the element being stored
// (the same flat index) or one fixed element (a scalar, splatted) runs as one flat loop, four
// elements at a time, with a scalar tail. The optimizer updates (Adam, SGD with momentum) are such
// maps. Arithmetic is float32 here (the TS kernel computes in float64 and rounds once at the store).
import type { Expr } from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import { childrenOf, mapExpr, storeIndex } from '../../src/schedule/walk.ts';
import { Keys } from '../cse.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import * as E from '../../src/schedule/expr.ts';

const LANE_BIN: Readonly<Record<string, number>> = {
  add: SIMD.f32x4_add,
  sub: SIMD.f32x4_sub,
  mul: SIMD.f32x4_mul,
  div: SIMD.f32x4_div,
  max: SIMD.f32x4_max,
  min: SIMD.f32x4_min,
};
const LANE_CMP: Readonly<Record<string, number>> = {
  eq: SIMD.f32x4_eq,
  ne: SIMD.f32x4_ne,
  lt: SIMD.f32x4_lt,
  le: SIMD.f32x4_le,
  gt: SIMD.f32x4_gt,
  ge: SIMD.f32x4_ge,
};
const LANE_UN: Readonly<Record<string, number>> = {
  neg: SIMD.f32x4_neg,
  abs: SIMD.f32x4_abs,
  sqrt: SIMD.f32x4_sqrt,
};

/** Value of an index expression without variables (a fixed element), or null. */
function constIndex(e: Expr): number | null {
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

/** Why a map cannot run four lanes at a time, or null when it can. */
export function vectorRefusal(k: MapKernel, dtypeOf: (buf: string) => string): string | null {
  const id = JSON.stringify(storeIndex(k));
  let why: string | null = null;
  // Value nodes only: a load's index is checked as a whole, not as arithmetic.
  const stack = k.stores.map((s) => s.expr);
  const seen = new Set<Expr>();
  while (stack.length && !why) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    if (e.k === 'load') {
      if (dtypeOf(e.buf) !== 'f32' || e.t !== 'f32') why = `load of ${e.buf} is not f32`;
      else if (JSON.stringify(e.at) !== id && constIndex(e.at) === null)
        why = `load of ${e.buf} is neither elementwise nor a scalar`;
      continue;
    }
    if (e.k === 'un' && !(e.op in LANE_UN) && e.op !== 'relu' && e.op !== 'recip')
      why = `${e.op} has no f32x4 instruction`;
    else if (e.k === 'bin' && !(e.op in LANE_BIN) && !(e.op in LANE_CMP))
      why = `${e.op} has no f32x4 instruction`;
    else if (e.k === 'bin' && e.op in LANE_CMP && e.a.t !== 'f32') why = 'non-f32 comparison';
    else if (e.k === 'num' && e.t === 'bool') why = 'boolean constant';
    else if (e.k === 'var' || e.k === 'cast' || e.k === 'rand' || e.k === 'acc')
      why = `${e.k} in the body`;
    else if (e.t === 'i32') why = 'integer arithmetic';
    stack.push(...childrenOf(e));
  }
  if (!why && k.stores.some((s) => dtypeOf(s.buf) !== 'f32' || s.expr.t !== 'f32'))
    why = 'a store is not f32';
  return why;
}

const splatConst = (f: FuncBuilder, v: number) =>
  f.simd(SIMD.v128_const, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));

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
  const keys = new Keys();
  const uses = new Map<number, number>();
  const seen = new Set<number>();
  const count = (e: Expr) => {
    const key = keys.of(e);
    uses.set(key, (uses.get(key) ?? 0) + 1);
    if (seen.has(key)) return;
    seen.add(key);
    for (const c of childrenOf(e)) count(c);
  };
  k.stores.forEach((s) => count(s.expr));
  const saved = new Map<number, number>();
  const emit = (e: Expr): void => {
    const key = keys.of(e);
    const hit = saved.get(key);
    if (hit !== undefined) {
      f.get(hit);
      return;
    }
    lanes(e);
    if ((uses.get(key) ?? 0) > 1 && e.k !== 'num') {
      const l = f.local('v128');
      f.tee(l);
      saved.set(key, l);
    }
  };
  const lanes = (e: Expr): void => {
    switch (e.k) {
      case 'num':
        splatConst(f, e.t === 'bool' ? (e.v ? -1 : 0) : e.v);
        return;
      case 'load': {
        const p = place(e.buf);
        const c = constIndex(e.at);
        if (c !== null && JSON.stringify(e.at) !== JSON.stringify(storeIndex(k))) {
          f.i32(p.at + 4 * c).splatLoad();
        } else f.get(at).v128Load(p.at);
        return;
      }
      case 'un':
        emit(e.a);
        if (e.op === 'relu') splatConst(f, 0).simd(SIMD.f32x4_max);
        else if (e.op === 'recip') {
          const x = f.local('v128');
          f.set(x);
          splatConst(f, 1).get(x).simd(SIMD.f32x4_div);
        } else f.simd(LANE_UN[e.op]!);
        return;
      case 'bin':
        emit(e.a);
        emit(e.b);
        f.simd(LANE_BIN[e.op] ?? LANE_CMP[e.op]!);
        return;
      case 'sel':
        emit(e.a);
        emit(e.b);
        emit(e.c);
        f.simd(SIMD.v128_bitselect);
        return;
      default:
        throw new Error(`wasm vector map: ${e.k} (vectorRefusal should have refused)`);
    }
  };
  if (body > 0) {
    // Shared values first, then the stores, in the TS kernel's order.
    f.i32(0).set(at);
    f.op(OP.loop, 0x40);
    const hoisted = new Set<Expr>();
    const post = (e: Expr) => {
      if (hoisted.has(e)) return;
      hoisted.add(e);
      if (e.k !== 'load') for (const c of childrenOf(e)) post(c); // indices are not lane values
      const key = keys.of(e);
      if ((uses.get(key) ?? 0) > 1 && !saved.has(key) && e.k !== 'num') {
        emit(e);
        f.op(OP.drop);
      }
    };
    k.stores.forEach((s) => post(s.expr));
    for (const s of k.stores) {
      f.get(at);
      emit(s.expr);
      f.v128Store(place(s.buf).at);
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
