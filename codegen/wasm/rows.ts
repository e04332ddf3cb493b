// Maps in f32x4 along their last axis: for each row (every index of the other axes), four
// elements at a time, with a scalar tail when the row length is not a multiple of 4. Each load is
// an affine function of the last axis (affine.ts): stride 1 loads four lanes, stride 0 (a bias,
// a row's max or mean) is splatted once per row, any other stride (a transposed view) gathers
// four elements. Row bases are computed once per row in i32. This covers the broadcasts and
// views the flat vector loop (vector.ts) refuses. Arithmetic is float32, as in vector.ts.
import type { Expr } from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import * as E from '../../src/schedule/expr.ts';
import { childrenOf, mapExpr, storeIndex, visit } from '../../src/schedule/walk.ts';
import { Keys } from '../cse.ts';
import { affineIn, chunkAffine, chunkVar, emitIndex, maxIndex } from './affine.ts';
import type { Affine } from './affine.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { rebase, ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { LaneEmitter, laneRefusal, usesLaneMath } from './lanes.ts';

type Load = Extract<Expr, { k: 'load' }>;

const innerVar = (k: MapKernel) => `i${k.shape.length - 1}`;
const extentOf = (k: MapKernel) => (v: string) => k.shape[Number(v.slice(1))] ?? 1;

type Buffer = (buf: string) => { readonly dtype: string; readonly size: number };

/**
 * Why a load cannot be read four lanes at a time along variable `v` (extent `n`), or null. Every
 * lane is loaded, also where a select drops it, so the index must provably stay in its buffer.
 */
export function affineLoadRefusal(
  e: Load,
  v: string,
  n: number,
  extent: (name: string) => number,
  buffer: Buffer,
): string | null {
  const b = buffer(e.buf);
  if ((b.dtype === 'f32') !== (e.t === 'f32') && e.t !== 'bool')
    return `load of ${e.buf} (${b.dtype}) as ${e.t}`;
  if (!affineIn(e.at, v, n, extent) && !chunkAffine(e.at, v, n, extent))
    return `load of ${e.buf} is not affine along ${v}, even in chunks of four`;
  const hi = maxIndex(e.at, extent);
  if (hi === null || hi >= b.size) return `load of ${e.buf} may leave its buffer`;
  return null;
}

/** Why an integer value (a loop position) cannot have four lanes along `v`, or null. */
export function affineIndexRefusal(
  e: Expr,
  v: string,
  n: number,
  extent: (name: string) => number,
): string | null {
  return affineIn(e, v, n, extent) ? null : `an integer value is not affine along ${v}`;
}

/**
 * The map without its trailing axes of extent 1 (their loop variables are 0), so that a map of
 * per-row values ([16, 64, 1]: layer norm's statistics, a softmax's log-sum) runs its lanes
 * along the last axis longer than 1. The flat store index is the same number.
 */
function squeezed(k: MapKernel): MapKernel {
  let rank = k.shape.length;
  while (rank > 1 && k.shape[rank - 1] === 1) rank--;
  if (rank === k.shape.length) return k;
  const memo = new Map<Expr, Expr>();
  const zero = (e: Expr) =>
    mapExpr(
      e,
      (x) =>
        x.k === 'var' && x.name[0] === 'i' && Number(x.name.slice(1)) >= rank ? E.int(0) : null,
      memo,
    );
  const stores = k.stores.map((s) => ({ ...s, expr: zero(s.expr) }));
  return { ...k, shape: k.shape.slice(0, rank), stores };
}

/** Why a map cannot run four lanes at a time along its last axis, or null when it can. */
export function rowRefusal(map: MapKernel, buffer: Buffer): string | null {
  const k = squeezed(map);
  const n = k.shape.at(-1) ?? 1;
  if (n < 4) return `its last axis (${n}) is shorter than four lanes`;
  const why = laneRefusal(
    k.stores.map((s) => s.expr),
    (e) => affineLoadRefusal(e, innerVar(k), n, extentOf(k), buffer),
    (e) => affineIndexRefusal(e, innerVar(k), n, extentOf(k)),
  );
  if (why) return why;
  if (k.stores.some((s) => buffer(s.buf).dtype !== 'f32' || s.expr.t !== 'f32'))
    return 'a store is not f32';
  return null;
}

/** The distinct loads and integer values of the expressions (not walked into). */
function leavesOf(roots: readonly Expr[]): Expr[] {
  const out: Expr[] = [];
  const leaf = (e: Expr) => e.k === 'load' || e.t === 'i32';
  visit(
    roots,
    (e) => leaf(e) && out.push(e),
    (e) => !leaf(e),
  );
  return out;
}

/**
 * The loads of a vector loop along variable `v`: each an affine base (a byte address local, set
 * by `bases()` wherever the caller's other variables change) plus stride·v. `lane(e)` pushes the
 * four lanes at v = j, j+1, j+2, j+3 for the element index j in local `j`. A load affine only
 * within chunks of four (chunkAffine) computes its base per chunk, in `lane`.
 */
export class AffineLoads {
  private readonly keys = new Keys();
  private readonly places = new Map<
    number,
    { affine: Affine; at: number; splat: number; chunked: boolean }
  >();
  private readonly leaves: Expr[] = [];
  private vars: (name: string) => number = () => {
    throw new Error('internal: wasm lanes: bases() comes first');
  };
  private chunk = -1; // i32 local: the chunk number j / 4 (for chunked loads)
  /**
   * Lanes to load, 1–3, in a row's last partial vector (0: all four). Only those elements are
   * read; the other lanes repeat lane 0 (they are computed, never stored).
   */
  partial = 0;

  constructor(
    private readonly f: FuncBuilder,
    roots: readonly Expr[],
    private readonly v: string,
    n: number,
    extent: (name: string) => number,
    private readonly place: (buf: string) => BufferPlace,
    private readonly j: number,
  ) {
    for (const e of leavesOf(roots)) {
      const key = this.keys.of(e);
      if (this.places.has(key)) continue;
      const at = e.k === 'load' ? e.at : e;
      const whole = affineIn(at, v, n, extent);
      const affine = whole ?? chunkAffine(at, v, n, extent)!;
      const splat = whole && affine.stride === 0 ? f.local('v128') : -1;
      this.places.set(key, { affine, at: f.local('i32'), splat, chunked: !whole });
      if (!whole && this.chunk < 0) this.chunk = f.local('i32');
      this.leaves.push(e);
    }
  }

  /** Byte offset of a buffer (gathered positions load from it). */

  /** Whether a row's last n mod 4 elements can run as a partial vector (no chunked loads). */
  get partialOk(): boolean {
    return this.chunk < 0;
  }

  /** Compute every base (and splat the stride-0 loads) for the current other variables. */
  bases(vars: (name: string) => number): void {
    const f = this.f;
    this.vars = vars;
    for (const e of this.leaves) {
      const r = this.places.get(this.keys.of(e))!;
      if (r.chunked) continue;
      emitIndex(f, r.affine.base, vars, this.place);
      if (e.k !== 'load') {
        f.set(r.at);
        if (r.splat >= 0) f.get(r.at).simd(SIMD.i32x4_splat).set(r.splat);
        continue;
      }
      f.i32(2).op(OP.i32_shl);
      rebase(f, this.place(e.buf)); // lanes read at r.at + place.at
      f.set(r.at);
      if (r.splat < 0) continue;
      f.get(r.at).splatLoad(this.place(e.buf).at);
      this.convert(e);
      f.set(r.splat);
    }
  }

  /** The i32 lanes of an integer value: base + stride·(j, j+1, j+2, j+3). */
  index(e: Expr): void {
    const f = this.f;
    const r = this.places.get(this.keys.of(e))!;
    const s = r.affine.stride;
    if (s === 0) {
      f.get(r.splat);
      return;
    }
    f.get(r.at).get(this.j).i32(s).op(OP.i32_mul).op(OP.i32_add).simd(SIMD.i32x4_splat);
    f.simd(SIMD.v128_const, ...new Uint8Array(new Int32Array([0, s, 2 * s, 3 * s]).buffer));
    f.simd(SIMD.i32x4_add);
  }

  /** Loaded lanes as the expression wants them: booleans become lane masks (value ≠ 0). */
  private convert(e: Load): void {
    if (e.t !== 'bool') return;
    const f = this.f;
    f.simd(SIMD.v128_const, ...new Array<number>(16).fill(0));
    f.simd(this.place(e.buf).dtype === 'f32' ? SIMD.f32x4_ne : SIMD.i32x4_ne);
  }

  lane(e: Load): void {
    const f = this.f;
    const r = this.places.get(this.keys.of(e))!;
    const off = this.place(e.buf).at;
    const s = r.affine.stride;
    if (r.chunked) {
      this.chunkLane(e, r.affine, r.at);
      return;
    }
    if (s === 0) f.get(r.splat);
    else if (s === 1 && !this.partial)
      f.get(r.at).get(this.j).i32(2).op(OP.i32_shl).op(OP.i32_add).v128Load(off);
    else {
      // four (or `partial`) elements `s` apart: lane 0 splatted, the next lanes replaced
      const a = f.local('i32');
      f.get(r.at)
        .get(this.j)
        .i32(4 * s)
        .op(OP.i32_mul)
        .op(OP.i32_add)
        .set(a);
      f.get(a).mem(OP.f32_load, off).simd(SIMD.f32x4_splat);
      for (let l = 1; l < (this.partial || 4); l++)
        f.get(a)
          .mem(OP.f32_load, off + 4 * s * l)
          .simd(SIMD.f32x4_replace_lane, l);
    }
    if (s !== 0) this.convert(e);
  }

  /** A chunked load: this chunk's base (chunk = j / 4), then 4 lanes `stride` apart. */
  private chunkLane(e: Load, affine: Affine, at: number): void {
    const f = this.f;
    const off = this.place(e.buf).at;
    const u = chunkVar(this.v);
    f.get(this.j).i32(2).op(OP.i32_shr_s).set(this.chunk);
    emitIndex(f, affine.base, (name) => (name === u ? this.chunk : this.vars(name)), this.place);
    f.i32(2).op(OP.i32_shl);
    rebase(f, this.place(e.buf));
    f.set(at);
    const s = affine.stride;
    if (s === 0) f.get(at).splatLoad(off);
    else if (s === 1) f.get(at).v128Load(off);
    else {
      f.get(at).mem(OP.f32_load, off).simd(SIMD.f32x4_splat);
      for (let l = 1; l < 4; l++)
        f.get(at)
          .mem(OP.f32_load, off + 4 * s * l)
          .simd(SIMD.f32x4_replace_lane, l);
    }
    this.convert(e);
  }
}

export function renderRowMap(
  map: MapKernel,
  place: (buf: string) => BufferPlace,
  fn: (n: ImportName) => number,
): FuncBuilder {
  const k = squeezed(map);
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
  const loads = new AffineLoads(f, roots, inner, n, extentOf(k), place, j);
  const lanes = new LaneEmitter(
    f,
    roots,
    (e) => loads.lane(e),
    undefined,
    (e) => loads.index(e),
    fn,
  );
  const tail = new ScalarEmitter({ f, place, vars: (v) => vars.get(v)!, fn }, roots);
  const storeAt = flatRow(k);
  const math = usesLaneMath(roots);
  const go = (d: number): void => {
    if (d < outer.length) {
      f.forRange(outer[d]!, 0, k.shape[d]!, 1, () => go(d + 1));
      return;
    }
    loads.bases((v) => vars.get(v)!);
    emitIndex(f, storeAt, (v) => vars.get(v)!);
    f.i32(2).op(OP.i32_shl).set(rowAt);
    lanes.reset();
    const row = { rowAt, j, body, n, stores: k.stores, place };
    if (storeRowLanes(f, lanes, loads, row, loads.partialOk && math)) return;
    // The last n mod 4 elements of the row, one at a time (float64, as the TS kernel).
    f.forRange(j, body, n, 1, () => tail.stores(k.stores, storeIndex(k)));
  };
  go(0);
  return f;
}

/** A row of stores: elements [0, n) at byte rowAt + 4·j of each store's buffer. */
export interface StoreRow {
  readonly rowAt: number;
  readonly j: number;
  /** The elements stored as whole vectors: n rounded down to 4. */
  readonly body: number;
  readonly n: number;
  readonly stores: readonly { readonly buf: string; readonly expr: Expr }[];
  readonly place: (buf: string) => BufferPlace;
  /**
   * Code run first in each vector (j set; `width` lanes stored): a reduction's epilogue computes
   * its outputs' accumulators there (vepilogue.ts).
   */
  readonly before?: (width: number) => void;
}

/**
 * A row's stores in f32x4 lanes (row maps and matmul epilogues): its body four elements at a time
 * and, where `partial`, its last n − body elements as one partial vector. Returns whether the row
 * is done; otherwise the caller stores the last elements one at a time.
 */
export function storeRowLanes(
  f: FuncBuilder,
  lanes: LaneEmitter,
  loads: AffineLoads,
  row: StoreRow,
  partial: boolean,
): boolean {
  const { rowAt, j, body, n, stores, place, before } = row;
  const address = (buf: string): number => {
    f.get(rowAt).get(j).i32(2).op(OP.i32_shl).op(OP.i32_add);
    return rebase(f, place(buf));
  };
  const roots = stores.map((s) => s.expr);
  f.forRange(j, 0, body, 4, () => {
    before?.(4);
    lanes.hoist(roots);
    for (const s of stores) {
      const offset = address(s.buf);
      lanes.emit(s.expr);
      f.v128Store(offset);
    }
  });
  if (!partial) return false;
  if (before && n > body) {
    f.i32(body).set(j);
    before(n - body);
  }
  partialVector(f, lanes, loads, j, body, n - body, stores, (st) => address(st.buf));
  return true;
}

/**
 * A row's last `rem` (1–3) elements as one partial vector at j = `from`: the same lane code as the
 * body (no scalar tail, so no per-element call into Math either), reading and writing only those
 * elements. `address` pushes a store's element-j byte address and returns its constant offset.
 */
function partialVector(
  f: FuncBuilder,
  lanes: LaneEmitter,
  loads: AffineLoads,
  j: number,
  from: number,
  rem: number,
  stores: readonly { readonly buf: string; readonly expr: Expr }[],
  address: (s: { readonly buf: string }) => number,
): void {
  if (rem <= 0) return;
  const [at, v] = [f.local('i32'), f.local('v128')];
  f.i32(from).set(j);
  lanes.reset(); // values saved by the body belong to its iterations
  loads.partial = rem;
  lanes.hoist(stores.map((s) => s.expr));
  for (const s of stores) {
    const off = address(s);
    f.set(at);
    lanes.emit(s.expr);
    f.set(v);
    for (let l = 0; l < rem; l++)
      f.get(at)
        .get(v)
        .simd(SIMD.f32x4_extract_lane, l)
        .mem(OP.f32_store, off + 4 * l);
  }
  loads.partial = 0;
  lanes.reset();
}

/** The flat index of a row's first element: the store index with the last axis at 0. */
const flatRow = (k: MapKernel): Expr =>
  E.flatIndex(
    k.shape.map((_, d) => (d === k.shape.length - 1 ? E.int(0) : E.ivar(`i${d}`))),
    k.shape,
  );
