// Matmuls with a small M or a small K in row form: one row of C at a time, C[b, i, :] =
// Σ_p A[b, i, p]·B[b, p, :], with the row held in f32x4 registers and each step p skipped when
// A[b, i, p] is zero (the TS kernel's zero skip: MNIST pixels are ~80% zeros, so x·W and xᵀ·δ
// do a fifth of the work). Nothing is packed when B's columns are contiguous; a strided B is
// copied once per batch into a dense k × n block. Rows go to a dense C, and the epilogue (bias,
// activation, optimizer update) runs as an ordinary map kernel over C, so it is the four-lane loop
// of vector.ts where that applies (the SGD update) and the scalar loop of loops.ts otherwise.
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { mapExpr, storeIndex } from '../../src/schedule/walk.ts';
import { FuncBuilder, MISC, OP, SIMD } from './encoder.ts';
import { addBatchOffset } from './matmul.ts';
import { pushAddress } from './expr.ts';
import type { BufferPlace } from './expr.ts';

/** Whether B must be copied into a dense block first (its columns are not contiguous). */
const packsB = (k: MatmulKernel) => k.b.colStride !== 1;

/** Row form for K or M up to this (xᵀ·δ over a mini-batch; a mini-batch's forward rows). */
export const ROW_MAX = 16;

/** Columns of C one pass over a row keeps in registers: 8 f32x4 accumulators. */
const CHUNK = 32;

/** A strided B is copied for row form only up to this many elements (it stays in L1). */
const MAX_COPIED_B = 8192;

/**
 * Whether a matmul runs in row form rather than packed (matmul.ts). Measured interleaved on this
 * shared 2-core machine (µs per call, row vs packed; scripts/w1-profile.mts for the W1 parts):
 * - K ≤ 16 wins on dense data too: 128×10×512 with B transposed 75 vs 174, 64 heads of
 *   64×16×64 556 vs 918; so does M ≤ 4 (1×512×512 41 vs 146, 2×512×512 79 vs 149).
 * - 4 < M ≤ 16 wins only on sparse A: the seed network's 10×784×30 on MNIST pixels, with its
 *   bias and sigmoid, 18 vs 31, but dense (no epilogue) 30 vs 24 and 8×512×512 317 vs 223. So it is taken when A is a feed (`isInput`): images,
 *   one-hot rows and masks are where zeros come from.
 * - A strided B is copied element by element: 4×512×512 with B transposed took 712 vs 153.
 */
export function rowForm(k: MatmulKernel, isInput: (buf: string) => boolean): boolean {
  if (packsB(k) && k.k * k.n > MAX_COPIED_B) return false;
  return k.k <= ROW_MAX || k.m <= 4 || (k.m <= ROW_MAX && isInput(k.a.buf));
}

const ceil4 = (x: number) => Math.ceil(x / 4) * 4;

/**
 * Bytes of the dense C (all batches) plus one vector: the last row's last f32x4 store may run
 * up to three floats past the end (earlier rows' spill is overwritten by the next row).
 */
export const rowAccBytes = (k: MatmulKernel): number => 4 * (k.batch * k.m * k.n + 4);

/** Bytes of the dense copy of a strided B (one batch), plus one vector read past its end. */
export const rowPackBytes = (k: MatmulKernel): number =>
  packsB(k) ? 4 * (k.k * ceil4(k.n) + 4) : 0;

/** A buffer name for the dense C that no buffer of the program has. */
export function accName(taken: (name: string) => boolean): string {
  let name = '#C';
  while (taken(name)) name += '#';
  return name;
}

/**
 * product(): C[b, i, :] = A[b, i, :]·B[b] for every batch and row, into the dense C at byte
 * `acc`; a strided B is first copied to byte `pack`.
 */
export function renderRowProduct(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  acc: number,
  pack: number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const n12 = Array.from({ length: 12 }, () => f.local('i32'));
  const [b, i, p, aRow, aPtr, bRow, bPtr, cRow, jc, r, quadA, quadC] = n12;
  const accs = Array.from({ length: CHUNK / 4 }, () => f.local('v128'));
  const av = f.local('v128');
  const aBase = () => pushAddress(f, place(k.a.buf), 4 * k.a.offset);
  const bBase = () => pushAddress(f, place(k.b.buf), 4 * k.b.offset);
  const dense = packsB(k);
  const bRowBytes = 4 * (dense ? ceil4(k.n) : k.b.rowStride);

  /** acc[v] += av · B[p, jc + 4v…] for v < vectors, B's row p at bPtr + `bytes`. */
  const fma = (vectors: number, bytes: number) => {
    for (let v = 0; v < vectors; v++) {
      const x = accs[v]!;
      const at = bytes + 16 * v;
      f.get(x).get(av).get(bPtr).v128Load(at);
      f.simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(x);
    }
  };
  /** One step p (A's element at ptr + aBytes, B's row at bPtr + bBytes), skipped when A is ±0. */
  const stepAt = (vectors: number, ptr: number, aBytes: number, bBytes: number) => {
    f.op(OP.block, 0x40);
    // ±0 has no bits but the sign: skip the step (NaN and ±∞ are not skipped, as in TS).
    f.get(ptr).mem(OP.i32_load, aBytes).i32(1).op(OP.i32_shl).op(OP.i32_eqz).op(OP.br_if, 0);
    f.get(ptr).splatLoad(aBytes).set(av);
    fma(vectors, bBytes);
    f.op(OP.end);
  };
  /** for (p = count; p > 0; p--) { body; aPtr += aStep; bPtr += bStep } (count ≥ 1). */
  const countDown = (count: number, aStep: number, bStep: number, body: () => void) => {
    f.i32(count).set(p);
    f.op(OP.loop, 0x40);
    body();
    f.get(aPtr).i32(aStep).op(OP.i32_add).set(aPtr);
    f.get(bPtr).i32(bStep).op(OP.i32_add).set(bPtr);
    f.get(p).i32(1).op(OP.i32_sub).tee(p).op(OP.br_if, 0);
    f.op(OP.end);
  };
  const aStep = 4 * k.a.colStride;
  // Both use constant memarg offsets, which are unsigned (strides are ≥ 0 today: slices step up).
  const unrolled = k.k <= ROW_MAX && aStep >= 0 && bRowBytes >= 0;
  const grouped = !unrolled && aStep === 4 && k.k >= 8 && bRowBytes >= 0;
  const quadRows = unrolled && k.k > 0 && k.a.rowStride === 1 && k.m >= 4;

  /** One pass over row i for the columns [jc, jc + 4·vectors), then the row's stores. */
  const pass = (vectors: number, jcBytes: () => void) => {
    for (let v = 0; v < vectors; v++) f.simd(SIMD.v128_const, ...ZERO).set(accs[v]!);
    f.get(aRow).set(aPtr);
    f.get(bRow);
    jcBytes();
    f.op(OP.i32_add).set(bPtr);
    if (unrolled) {
      // K ≤ 16 (xᵀ·δ over a mini-batch): every address is a constant offset from the row's.
      for (let q = 0; q < k.k; q++) stepAt(vectors, aPtr, q * aStep, q * bRowBytes);
    } else if (grouped) {
      // A's row is contiguous: four steps at a time, skipped together when all four are zero.
      const groups = Math.floor(k.k / 4);
      countDown(groups, 16, 4 * bRowBytes, () => {
        f.op(OP.block, 0x40);
        f.get(aPtr).v128Load().simd(V128_ANY_TRUE).op(OP.i32_eqz).op(OP.br_if, 0);
        for (let q = 0; q < 4; q++) stepAt(vectors, aPtr, 4 * q, q * bRowBytes);
        f.op(OP.end);
      });
      for (let q = 0; q < k.k % 4; q++) stepAt(vectors, aPtr, 4 * q, q * bRowBytes);
    } else if (k.k > 0) {
      countDown(k.k, aStep, bRowBytes, () => stepAt(vectors, aPtr, 0, 0));
    }
    for (let v = 0; v < vectors; v++) {
      f.get(cRow);
      jcBytes();
      const at = 16 * v;
      f.op(OP.i32_add).get(accs[v]!).v128Store(at);
    }
  };

  const [full, tail] = [Math.floor(k.n / CHUNK), Math.ceil((k.n % CHUNK) / 4)]; // chunks, vectors
  const [aBatch, cBatch] = [f.local('i32'), f.local('i32')];
  f.forRange(b, 0, k.batch, 1, () => {
    // The batch's offsets (a div and a rem per batch axis of a view) once per batch, not per row.
    if (dense) packB(f, k, b, bBase, pack);
    if (dense) f.i32(pack);
    else {
      bBase();
      addBatchOffset(f, b, k.b);
    }
    f.set(bRow);
    aBase();
    addBatchOffset(f, b, k.a).set(aBatch);
    mad(f.i32(acc), b, 4 * k.m * k.n).set(cBatch);
    /** aRow and cRow for row i of batch b. */
    const setRow = () => {
      mad(f.get(aBatch), i, 4 * k.a.rowStride).set(aRow);
      mad(f.get(cBatch), i, 4 * k.n).set(cRow);
    };
    const row = () => {
      f.forRange(jc, 0, full * CHUNK * 4, CHUNK * 4, () => pass(CHUNK / 4, () => f.get(jc)));
      if (tail > 0) pass(tail, () => f.i32(full * CHUNK * 4));
    };
    const quads = quadRows ? Math.floor(k.m / 4) * 4 : 0;
    const quadBytes = 16 * k.n; // four rows of C
    f.forRange(i, 0, quads, 4, () => {
      // Four rows of a transposed A (xᵀ·δ: four pixels over the mini-batch) are one f32x4 per
      // step: when every step is zero for all four, their rows of C are zero.
      setRow();
      for (let q = 0; q < k.k; q++) {
        f.get(aRow).v128Load(q * aStep);
        if (q > 0) f.simd(SIMD.v128_or);
      }
      f.simd(V128_ANY_TRUE);
      f.ifElse(
        () => {
          f.get(aRow).set(quadA);
          f.get(cRow).set(quadC);
          f.forRange(r, 0, 4, 1, () => {
            mad(f.get(quadA), r, 4).set(aRow);
            mad(f.get(quadC), r, 4 * k.n).set(cRow);
            row();
          });
        },
        () => f.get(cRow).i32(0).i32(quadBytes).misc(MISC.memory_fill, 0),
      );
    });
    f.forRange(i, quads, k.m, 1, () => {
      setRow();
      row();
    });
  });
  return f;
}

const ZERO = new Array<number>(16).fill(0);
/** Adds x · bytes to the address on the stack. */
const mad = (f: FuncBuilder, x: number, bytes: number) =>
  f.get(x).i32(bytes).op(OP.i32_mul).op(OP.i32_add);
/** v128.any_true (SIMD opcode 0x53): 1 when any bit of the vector is set. */
const V128_ANY_TRUE = 0x53;

/** Copy batch b of a strided B into the dense k × ceil4(n) block at byte `pack`. */
function packB(f: FuncBuilder, k: MatmulKernel, b: number, bBase: () => void, pack: number): void {
  const [p, j, src, dst] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const batch = f.local('i32');
  f.i32(pack).set(dst);
  bBase();
  addBatchOffset(f, b, k.b).set(batch);
  f.forRange(p, 0, k.k, 1, () => {
    mad(f.get(batch), p, 4 * k.b.rowStride).set(src);
    const [colBytes, padBytes] = [4 * k.b.colStride, 4 * (ceil4(k.n) - k.n)];
    f.forRange(j, 0, k.n, 1, () => {
      f.get(dst).get(src).mem(OP.f32_load).mem(OP.f32_store);
      f.get(src).i32(colBytes).op(OP.i32_add).set(src);
      f.get(dst).i32(4).op(OP.i32_add).set(dst);
    });
    // Skip the row's padding (never stored: its lanes are unused).
    if (padBytes > 0) f.get(dst).i32(padBytes).op(OP.i32_add).set(dst);
  });
}

/**
 * The epilogue as a map kernel over [batch,] m, n: the matmul's stores with `acc` read from the
 * dense C (named `c`, an element per output position) and the loop variables b, i, j renamed
 * to the map's i0, i1(, i2).
 */
export function epilogueMap(k: MatmulKernel, c: string): MapKernel {
  const shape = k.batch === 1 ? [k.m, k.n] : [k.batch, k.m, k.n];
  const names = k.batch === 1 ? { i: 'i0', j: 'i1' } : { b: 'i0', i: 'i1', j: 'i2' };
  const { name, notes, ops } = k;
  const map: MapKernel = { kind: 'map', name, notes, ops, shape, stores: [] };
  const at = storeIndex(map);
  const memo = new Map<Expr, Expr>();
  const rename = (e: Expr): Expr | null => {
    if (e.k === 'acc') return E.load(c, at, 'f32');
    if (e.k !== 'var') return null;
    const to = (names as Record<string, string>)[e.name];
    return to === undefined ? null : E.ivar(to);
  };
  const stores = k.stores.map((s) => ({ buf: s.buf, expr: mapExpr(s.expr, rename, memo) }));
  return { ...map, stores };
}
