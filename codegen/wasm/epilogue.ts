// A matmul's epilogue (bias, activation, scaling, the causal mask, optimizer updates) in f32x4
// along C's rows: the accumulator block's row is read four lanes at a time and the stores written
// four at a time, with the epilogue's other loads affine along j (rows.ts). Arithmetic is float32
// lanes, as the SIMD maps; a row's last n mod 4 elements run as the scalar epilogue.
// The accumulator block's layout is matmul.ts's: batch-major rows of ⌈m/MR⌉·MR, each row
// ⌈n/NR⌉·NR floats.
import * as E from '../../src/schedule/expr.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { storeIndex } from '../../src/schedule/walk.ts';
import { emitIndex } from './affine.ts';
import { FuncBuilder, OP } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { LaneEmitter, laneRefusal, usesLaneMath } from './lanes.ts';
import { MR, NR } from './micro.ts';
import { AffineLoads, affineIndexRefusal, affineLoadRefusal, storeRowLanes } from './rows.ts';

const ceilTo = (x: number, m: number) => Math.ceil(x / m) * m;
const extentOf = (k: MatmulKernel) => (v: string) => (v === 'b' ? k.batch : v === 'i' ? k.m : k.n);

/** Why the epilogue cannot run four lanes at a time along C's rows, or null when it can. */
export function epilogueRefusal(
  k: MatmulKernel,
  buffer: (buf: string) => BufferPlace,
): string | null {
  if (k.n < 4) return `C's rows (${k.n}) are shorter than four lanes`;
  const roots = k.stores.map((s) => s.expr);
  const why = laneRefusal(
    roots,
    (e) => affineLoadRefusal(e, 'j', k.n, extentOf(k), buffer),
    (e) => affineIndexRefusal(e, 'j', k.n, extentOf(k)),
  );
  if (why) return why;
  if (k.stores.some((s) => buffer(s.buf).dtype !== 'f32' || s.expr.t !== 'f32'))
    return 'a store is not f32';
  return null;
}

export function renderVectorEpilogue(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  acc: number,
  fn: (name: ImportName) => number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const [b, i, j, accL] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('f64')];
  const [rowAcc, rowAt] = [f.local('i32'), f.local('i32')];
  const vars = (name: string) => (name === 'i' ? i : name === 'j' ? j : b);
  const roots = k.stores.map((s) => s.expr);
  const loads = new AffineLoads(f, roots, 'j', k.n, extentOf(k), place, j);
  const accLanes = () => f.get(rowAcc).get(j).i32(2).op(OP.i32_shl).op(OP.i32_add).v128Load(acc);
  const lanes = new LaneEmitter(
    f,
    roots,
    (e) => loads.lane(e),
    accLanes,
    (e) => loads.index(e),
    fn,
  );
  const tail = new ScalarEmitter({ f, place, vars, acc: accL, fn }, roots);
  const [mp, np] = [ceilTo(k.m, MR), ceilTo(k.n, NR)];
  const body = Math.floor(k.n / 4) * 4;
  const rowStart = E.iadd(
    E.imul(k.batch === 1 ? E.int(0) : E.ivar('b'), E.int(k.m * k.n)),
    E.imul(E.ivar('i'), E.int(k.n)),
  );
  f.forRange(b, 0, k.batch, 1, () => {
    f.forRange(i, 0, k.m, 1, () => {
      loads.bases(vars);
      f.get(b).i32(mp).op(OP.i32_mul).get(i).op(OP.i32_add);
      f.i32(4 * np)
        .op(OP.i32_mul)
        .set(rowAcc);
      emitIndex(f, rowStart, vars);
      f.i32(2).op(OP.i32_shl).set(rowAt);
      // The accumulator's rows are padded to NR floats: its four lanes are all readable, so the
      // row's last elements may run as a partial vector.
      const row = { rowAt, j, body, n: k.n, stores: k.stores, place };
      if (storeRowLanes(f, lanes, loads, row, loads.partialOk && usesLaneMath(roots))) return;
      f.forRange(j, body, k.n, 1, () => {
        f.get(rowAcc).get(j).i32(2).op(OP.i32_shl).op(OP.i32_add);
        f.mem(OP.f32_load, acc).op(OP.f64_promote_f32).set(accL);
        tail.stores(k.stores, storeIndex(k));
      });
    });
  });
  return f;
}
