// A vector reduction's per-output epilogue (vreduce.ts) on four outputs at a time: where it uses
// lane math (log-sum-exp's log, a norm's square root of a log, …), the scalar epilogue would call
// Math once per output. Instead four consecutive outputs along one output axis are reduced, their
// accumulators gathered into an f32x4, and the epilogue's stores run as lanes (rows.ts
// storeRowLanes, with the outputs' last n mod 4 as one partial vector). Without lane math the
// float64 scalar epilogue is kept: it calls nothing and rounds once.
import * as E from '../../src/schedule/expr.ts';
import type { ReduceKernel } from '../../src/schedule/kinds/reduce.ts';
import { emitIndex } from './affine.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { LaneEmitter, laneRefusal, usesLaneMath } from './lanes.ts';
import { AffineLoads, affineIndexRefusal, affineLoadRefusal, storeRowLanes } from './rows.ts';

type Buffer = (buf: string) => { readonly dtype: string; readonly size: number };

const extentOf = (k: ReduceKernel) => (v: string) =>
  (v[0] === 'r' ? k.redShape : k.outShape)[Number(v.slice(1))] ?? 1;

/** Shuffle: lanes 1–3 of the first operand, then lane 0 of the second (a shift down by one). */
const SHIFT_IN = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

/**
 * The output axis the epilogue runs four lanes along: the last one longer than 1 (the axes after
 * it, of extent 1, leave its outputs contiguous), or null where the scalar epilogue stays.
 */
export function epilogueAxis(k: ReduceKernel, buffer: Buffer): number | null {
  const roots = k.stores.map((s) => s.expr);
  if (!usesLaneMath(roots)) return null;
  let d = k.outShape.length - 1;
  while (d >= 0 && k.outShape[d] === 1) d--;
  const n = k.outShape[d] ?? 1;
  if (n < 4) return null;
  if (k.stores.some((s) => buffer(s.buf).dtype !== 'f32' || s.expr.t !== 'f32')) return null;
  const v = `o${d}`;
  const why = laneRefusal(
    roots,
    (e) => affineLoadRefusal(e, v, n, extentOf(k), buffer),
    (e) => affineIndexRefusal(e, v, n, extentOf(k)),
  );
  return why ? null : d;
}

export class ReduceEpilogue {
  private readonly acc: number;
  private readonly rowAt: number;
  private readonly loads: AffineLoads;
  private readonly lanes: LaneEmitter;

  constructor(
    private readonly f: FuncBuilder,
    private readonly k: ReduceKernel,
    /** The output axis (epilogueAxis). */
    private readonly d: number,
    private readonly place: (buf: string) => BufferPlace,
    fn: (n: ImportName) => number,
    /** i32 local: the output index along axis d of lane 0. */
    private readonly j: number,
  ) {
    const roots = k.stores.map((s) => s.expr);
    [this.acc, this.rowAt] = [f.local('v128'), f.local('i32')];
    const n = k.outShape[d]!;
    this.loads = new AffineLoads(f, roots, `o${d}`, n, extentOf(k), place, j);
    const acc = () => f.get(this.acc);
    const index = (e: E.Expr) => this.loads.index(e);
    this.lanes = new LaneEmitter(f, roots, (e) => this.loads.lane(e), acc, index, fn);
  }

  /** Whether the epilogue's loads allow a partial vector (the outputs' last n mod 4). */
  get ok(): boolean {
    return this.loads.partialOk;
  }

  /**
   * The outputs along axis d, for the current outer output variables (`vars`; the axes after d
   * are set to 0 here). `reduce(width)` computes the accumulators of outputs j … j + width − 1
   * and pushes them as one f32x4 (lanes past width unused).
   */
  run(vars: (name: string) => number, reduce: (width: number) => void): void {
    const { f, k, d } = this;
    for (let e = d + 1; e < k.outShape.length; e++) f.i32(0).set(vars(`o${e}`));
    this.loads.bases(vars);
    const first = k.outShape.map((_, e) => (e < d ? E.ivar(`o${e}`) : E.int(0)));
    emitIndex(f, E.flatIndex(first, k.outShape), vars);
    f.i32(2).op(OP.i32_shl).set(this.rowAt);
    const n = k.outShape[d]!;
    const row = {
      rowAt: this.rowAt,
      j: this.j,
      body: Math.floor(n / 4) * 4,
      n,
      stores: k.stores,
      place: this.place,
      before: (width: number) => {
        reduce(width);
        f.set(this.acc);
      },
    };
    if (!storeRowLanes(f, this.lanes, this.loads, row, true))
      throw new Error('internal: wasm reduce epilogue: no partial vector');
  }

  /**
   * For reduce(): `width` outputs one at a time. `one` leaves output j + w's accumulator (an f64)
   * on the stack, with the output variable of axis d set to j + w; each is shifted into the
   * vector, which is pushed with output j in lane 0.
   */
  gather(width: number, vars: (name: string) => number, one: () => void): void {
    const { f } = this;
    const [w, v] = [f.local('i32'), f.local('v128')];
    f.forRange(w, 0, width, 1, () => {
      f.get(this.j)
        .get(w)
        .op(OP.i32_add)
        .set(vars(`o${this.d}`));
      f.get(v);
      one();
      f.op(OP.f32_demote_f64)
        .simd(SIMD.f32x4_splat)
        .simd(SIMD.i8x16_shuffle, ...SHIFT_IN)
        .set(v);
    });
    f.get(v);
    for (let s = width; s < 4; s++) f.get(v).simd(SIMD.i8x16_shuffle, ...SHIFT_IN);
  }
}
