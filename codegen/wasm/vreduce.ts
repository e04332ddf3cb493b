// Reductions in f32x4, two ways. 'row': along the last reduced axis (softmax max and sum, layer
// norm mean and variance, cross-entropy's log-sum-exp), four elements of one row at a time, then
// the lanes combined. 'col': across the last output axis (bias and gain gradients: sums over the
// batch), four outputs at a time, each lane its own output. Values are computed in float32 lanes
// (as the SIMD maps do); sums accumulate in float64 (two f64x2 halves of each f32x4), so 'col'
// sums each output in the TS kernel's order and 'row' sums four interleaved partial sums, added at
// the end. Max is exact either way (f32x4.max keeps NaN, as Math.max does).
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { ReduceKernel } from '../../src/schedule/kinds/reduce.ts';
import { affineIn } from './affine.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { LaneEmitter, laneRefusal, usesLaneMath } from './lanes.ts';
import { splatF32 } from './lanemath.ts';
import { LOW_PAIRS } from './lanewide.ts';
import { AffineLoads, affineIndexRefusal, affineLoadRefusal } from './rows.ts';
import { ReduceEpilogue, epilogueAxis } from './vepilogue.ts';

type Buffer = (buf: string) => { readonly dtype: string; readonly size: number };
export type ReduceLanes = 'row' | 'col';

const extentOf = (k: ReduceKernel) => (v: string) =>
  (v[0] === 'r' ? k.redShape : k.outShape)[Number(v.slice(1))] ?? 1;
const lastVar = (k: ReduceKernel, mode: ReduceLanes) =>
  mode === 'row' ? `r${k.redShape.length - 1}` : `o${k.outShape.length - 1}`;

/**
 * How the reduction runs on four lanes, or null: 'row' unless it would gather (strided loads)
 * where 'col' would not (a sum over the batch reads rows contiguously across its outputs).
 */
export function reduceLanes(k: ReduceKernel, buffer: Buffer): ReduceLanes | null {
  if (k.value.t !== 'f32') return null;
  /** The loads that gather (neither contiguous nor splatted) in this mode, or −1 if refused. */
  const gathers = (mode: ReduceLanes) => {
    const n = (mode === 'row' ? k.redShape : k.outShape).at(-1) ?? 1;
    if (n < 4) return -1;
    const v = lastVar(k, mode);
    let count = 0;
    const why = laneRefusal(
      [k.value],
      (e) => {
        const no = affineLoadRefusal(e, v, n, extentOf(k), buffer);
        if (!no && (affineIn(e.at, v, n, extentOf(k))?.stride ?? 2) > 1) count++; // chunked too
        return no;
      },
      (e) => affineIndexRefusal(e, v, n, extentOf(k)),
    );
    return why ? -1 : count;
  };
  const [row, col] = [gathers('row'), gathers('col')];
  if (row >= 0 && (row === 0 || col < 0 || col >= row)) return 'row';
  return col >= 0 ? 'col' : null;
}

/** The shuffle moving lanes 2–3 of an f32x4 to lanes 0–1 (for f64x2.promote_low). */
const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

export function renderVectorReduce(
  k: ReduceKernel,
  mode: ReduceLanes,
  place: (buf: string) => BufferPlace,
  fn: (n: ImportName) => number,
  buffer: Buffer,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const sum = k.op === 'sum';
  const vars = new Map<string, number>();
  const local = (name: string) => {
    const l = f.local('i32');
    vars.set(name, l);
    return l;
  };
  const oLocals = k.outShape.map((_, d) => local(`o${d}`));
  const rLocals = k.redShape.map((_, d) => local(`r${d}`));
  const acc = f.local('f64');
  const j = f.local('i32'); // element index of lane 0 along the vector axis
  const [a0, a1, tmp] = [f.local('v128'), f.local('v128'), f.local('v128')];
  const v = lastVar(k, mode);
  const n = (mode === 'row' ? k.redShape : k.outShape).at(-1)!;
  const body = Math.floor(n / 4) * 4;
  const loads = new AffineLoads(f, [k.value], v, n, extentOf(k), place, j);
  const lanes = new LaneEmitter(
    f,
    [k.value],
    (e) => loads.lane(e),
    undefined,
    (e) => loads.index(e),
    fn,
  );
  const env = { f, place, vars: (name: string) => vars.get(name)!, acc, fn };
  // A fresh emitter per use: an emitter's saved values belong to the one place it emitted them.
  const scalar = (roots: readonly Expr[]) => new ScalarEmitter(env, roots);
  const at = E.flatIndex(
    k.outShape.map((_, d) => E.ivar(`o${d}`)),
    k.outShape,
  );
  const init = sum ? 0 : -Infinity;
  const startLanes = () => {
    if (sum) f.f64(0).simd(SIMD.f64x2_splat).tee(a0).set(a1);
    else f.f64(-Infinity).op(OP.f32_demote_f64).simd(SIMD.f32x4_splat).set(a0);
  };
  const addLanes = (rem = 0) => {
    lanes.hoist([k.value]);
    lanes.emit(k.value);
    if (rem) {
      // a partial vector: lanes past the row's end hold the identity (0, or −∞ for max)
      splatF32(f, init);
      const mask = Array.from({ length: 4 }, (_, l) => (l < rem ? -1 : 0));
      f.simd(SIMD.v128_const, ...new Uint8Array(new Int32Array(mask).buffer));
      f.simd(SIMD.v128_bitselect);
    }
    if (!sum) {
      f.get(a0).simd(SIMD.f32x4_max).set(a0);
      return;
    }
    f.tee(tmp).simd(SIMD.f64x2_promote_low_f32x4).get(a0).simd(SIMD.f64x2_add).set(a0);
    f.get(tmp)
      .get(tmp)
      .simd(SIMD.i8x16_shuffle, ...HIGH);
    f.simd(SIMD.f64x2_promote_low_f32x4).get(a1).simd(SIMD.f64x2_add).set(a1);
  };
  /** Push lane w of the accumulators as an f64. */
  const laneOf = (w: number) => {
    if (sum) f.get(w < 2 ? a0 : a1).simd(SIMD.f64x2_extract_lane, w % 2);
    else f.get(a0).simd(SIMD.f32x4_extract_lane, w).op(OP.f64_promote_f32);
  };
  const fold = () => f.op(sum ? OP.f64_add : OP.f64_max);
  /** acc ⊕= value, one element in float64 (tails). */
  const addScalar = () => {
    f.get(acc);
    scalar([k.value]).emit(k.value);
    fold();
    f.set(acc);
  };
  /** Code for a partial vector of `rem` lanes (saved lane values belong to the body's code). */
  const partial = (rem: number, run: () => void) => {
    lanes.reset();
    loads.partial = rem;
    run();
    loads.partial = 0;
    lanes.reset();
  };
  const rem = loads.partialOk && usesLaneMath([k.value]) ? n - body : 0;
  const nest = (ls: readonly number[], shape: readonly number[], inner: () => void) => {
    const go = (d: number): void => {
      if (d === ls.length) return inner();
      f.forRange(ls[d]!, 0, shape[d]!, 1, () => go(d + 1));
    };
    go(0);
  };
  // The epilogue on four outputs' lanes where it uses lane math (vepilogue.ts), else scalar.
  const d = epilogueAxis(k, buffer);
  const jo = d === null ? -1 : f.local('i32');
  const epi = d === null ? null : new ReduceEpilogue(f, k, d, place, fn, mode === 'row' ? jo : j);
  const byName = (name: string) => vars.get(name)!;
  if (mode === 'row') {
    /** acc ← the reduction of the current output. */
    const reduceOne = () => {
      f.f64(init).set(acc);
      startLanes();
      nest(rLocals.slice(0, -1), k.redShape, () => {
        loads.bases(byName);
        f.forRange(j, 0, body, 4, () => addLanes());
        if (rem) {
          f.i32(body).set(j);
          partial(rem, () => addLanes(rem));
        } else f.forRange(rLocals.at(-1)!, body, n, 1, addScalar);
      });
      // acc ⊕ lanes 0–3, in lane order
      for (let w = 0; w < 4; w++) {
        f.get(acc);
        laneOf(w);
        fold();
        f.set(acc);
      }
    };
    if (epi?.ok) {
      nest(oLocals.slice(0, d!), k.outShape, () =>
        epi.run(byName, (width) =>
          epi.gather(width, byName, () => {
            reduceOne();
            f.get(acc);
          }),
        ),
      );
      return f;
    }
    nest(oLocals, k.outShape, () => {
      reduceOne();
      scalar(k.stores.map((s) => s.expr)).stores(k.stores, at);
    });
    return f;
  }
  const oLast = oLocals.at(-1)!;
  const epilogue = () => scalar(k.stores.map((s) => s.expr)).stores(k.stores, at);
  /** The lanes of outputs j … j + 3 as one f32x4 (sums rounded from float64). */
  const reduceLanes = () => {
    startLanes();
    nest(rLocals, k.redShape, () => {
      loads.bases(byName);
      addLanes();
    });
    if (!sum) {
      f.get(a0);
      return;
    }
    f.get(a0).simd(SIMD.f32x4_demote_f64x2_zero).get(a1).simd(SIMD.f32x4_demote_f64x2_zero);
    f.simd(SIMD.i8x16_shuffle, ...LOW_PAIRS);
  };
  if (epi?.ok) {
    nest(oLocals.slice(0, -1), k.outShape, () =>
      epi.run(byName, (width) => (width < 4 ? partial(width, reduceLanes) : reduceLanes())),
    );
    return f;
  }
  nest(oLocals.slice(0, -1), k.outShape, () => {
    /** `width` outputs from j on, each lane its own output. */
    const outputs = (width: number) => {
      startLanes();
      nest(rLocals, k.redShape, () => {
        loads.bases((name) => vars.get(name)!);
        addLanes();
      });
      for (let w = 0; w < width; w++) {
        f.get(j).i32(w).op(OP.i32_add).set(oLast);
        f.f64(init);
        laneOf(w);
        fold();
        f.set(acc);
        epilogue();
      }
    };
    f.forRange(j, 0, body, 4, () => outputs(4));
    if (rem) {
      // the last n mod 4 outputs as one partial vector
      f.i32(body).set(j);
      partial(rem, () => outputs(rem));
      return;
    }
    // the last outputs (n mod 4 of them), one at a time
    f.forRange(oLast, body, n, 1, () => {
      f.f64(init).set(acc);
      nest(rLocals, k.redShape, addScalar);
      epilogue();
    });
  });
  return f;
}
