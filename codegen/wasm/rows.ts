// Maps in f32x4 along their last axis: for each row (every index of the other axes), four
// elements at a time, with a scalar tail when the row length is not a multiple of 4. Each load is
// an affine function of the last axis (affine.ts): stride 1 loads four lanes, stride 0 (a bias,
// a row's max or mean) is splatted once per row, any other stride (a transposed view) gathers
// four elements. Row bases are computed once per row in i32. This covers the broadcasts and
// views the flat vector loop (vector.ts) refuses. Arithmetic is float32, as in vector.ts.
import type { Expr } from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kernel.ts';
import * as E from '../../src/schedule/expr.ts';
import { childrenOf, storeIndex } from '../../src/schedule/walk.ts';
import { Keys } from '../cse.ts';
import { affineIn, emitIndex, maxIndex } from './affine.ts';
import type { Affine } from './affine.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { LaneEmitter, laneRefusal } from './lanes.ts';

type Load = Extract<Expr, { k: 'load' }>;

const innerVar = (k: MapKernel) => `i${k.shape.length - 1}`;

/** Why a map cannot run four lanes at a time along its last axis, or null when it can. */
export function rowRefusal(
  k: MapKernel,
  buffer: (buf: string) => { readonly dtype: string; readonly size: number },
): string | null {
  const n = k.shape.at(-1) ?? 1;
  if (n < 4) return `its last axis (${n}) is shorter than four lanes`;
  const extent = (v: string) => k.shape[Number(v.slice(1))] ?? 1;
  const why = laneRefusal(
    k.stores.map((s) => s.expr),
    (e) => {
      const b = buffer(e.buf);
      if (b.dtype !== 'f32') return `load of ${e.buf} is not f32`;
      if (!affineIn(e.at, innerVar(k), n)) return `load of ${e.buf} is not affine along the row`;
      // Every lane is loaded, also where a select drops it: the index must stay in the buffer.
      const hi = maxIndex(e.at, extent);
      if (hi === null || hi >= b.size) return `load of ${e.buf} may leave its buffer`;
      return null;
    },
  );
  if (why) return why;
  if (k.stores.some((s) => buffer(s.buf).dtype !== 'f32' || s.expr.t !== 'f32'))
    return 'a store is not f32';
  return null;
}

/** The distinct loads of the stores' expressions (index arithmetic is not walked). */
function loadsOf(roots: readonly Expr[]): Load[] {
  const out: Load[] = [];
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    if (e.k === 'load') out.push(e);
    else stack.push(...childrenOf(e));
  }
  return out;
}

export function renderRowMap(
  k: MapKernel,
  place: (buf: string) => BufferPlace,
  fn: (n: ImportName) => number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const n = k.shape.at(-1)!;
  const body = Math.floor(n / 4) * 4;
  const inner = innerVar(k);
  const vars = new Map<string, number>();
  const outer = k.shape.slice(0, -1).map((_, d) => {
    const l = f.local('i32');
    vars.set(`i${d}`, l);
    return l;
  });
  const j = f.local('i32'); // element index along the row
  vars.set(inner, j);
  const rowAt = f.local('i32'); // byte offset of the row's first element in the stored buffers
  const roots = k.stores.map((s) => s.expr);
  // One row base per distinct load: a byte address local, and for stride 0 the splatted value.
  const keys = new Keys();
  const rows = new Map<number, { affine: Affine; at: number; splat: number }>();
  for (const e of loadsOf(roots)) {
    const key = keys.of(e);
    if (rows.has(key)) continue;
    const affine = affineIn(e.at, inner, n)!;
    rows.set(key, {
      affine,
      at: f.local('i32'),
      splat: affine.stride === 0 ? f.local('v128') : -1,
    });
  }
  const lanes = new LaneEmitter(f, roots, (e) => {
    const r = rows.get(keys.of(e))!;
    const off = place(e.buf).at;
    const s = r.affine.stride;
    if (s === 0) f.get(r.splat);
    else if (s === 1) f.get(r.at).get(j).i32(2).op(OP.i32_shl).op(OP.i32_add).v128Load(off);
    else {
      // four elements `s` apart: lane 0 splatted, lanes 1–3 replaced
      const a = f.local('i32');
      f.get(r.at)
        .get(j)
        .i32(4 * s)
        .op(OP.i32_mul)
        .op(OP.i32_add)
        .set(a);
      f.get(a).mem(OP.f32_load, off).simd(SIMD.f32x4_splat);
      for (let l = 1; l < 4; l++)
        f.get(a)
          .mem(OP.f32_load, off + 4 * s * l)
          .simd(SIMD.f32x4_replace_lane, l);
    }
  });
  const tail = new ScalarEmitter({ f, place, vars: (v) => vars.get(v)!, fn }, roots);
  const storeAt = flatRow(k);
  const go = (d: number): void => {
    if (d < outer.length) {
      f.forRange(outer[d]!, 0, k.shape[d]!, 1, () => go(d + 1));
      return;
    }
    for (const r of rows.values()) {
      emitIndex(f, r.affine.base, (v) => vars.get(v)!);
      f.i32(2).op(OP.i32_shl).set(r.at);
    }
    for (const e of loadsOf(roots)) {
      const r = rows.get(keys.of(e))!;
      if (r.splat >= 0) f.get(r.at).splatLoad(place(e.buf).at).set(r.splat);
    }
    emitIndex(f, storeAt, (v) => vars.get(v)!);
    f.i32(2).op(OP.i32_shl).set(rowAt);
    lanes.reset();
    f.forRange(j, 0, body, 4, () => {
      lanes.hoist(roots);
      for (const s of k.stores) {
        f.get(rowAt).get(j).i32(2).op(OP.i32_shl).op(OP.i32_add);
        lanes.emit(s.expr);
        f.v128Store(place(s.buf).at);
      }
    });
    // The last n mod 4 elements of the row, one at a time (float64, as the TS kernel).
    f.forRange(j, body, n, 1, () => tail.stores(k.stores, storeIndex(k)));
  };
  go(0);
  return f;
}

/** The flat index of a row's first element: the store index with the last axis at 0. */
const flatRow = (k: MapKernel): Expr =>
  E.flatIndex(
    k.shape.map((_, d) => (d === k.shape.length - 1 ? E.int(0) : E.ivar(`i${d}`))),
    k.shape,
  );
