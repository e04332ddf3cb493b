// Matmul kernels in wasm SIMD: operands of any strided view (plain or transposed, as the backward
// pass has them) are packed into contiguous panels, so xᵀ·δ and δ·Wᵀ run the same micro-kernel as
// x·W; a 4×8 register-blocked f32x4 micro-kernel accumulates in registers, K in blocks of KC and
// M in blocks of MC (the packed A block stays in L2, one B panel in L1). The epilogue (bias,
// activation, optimizer update) then runs per element on the accumulator, as the TS kernel does.
import type { MatmulKernel, StridedView } from '../../src/schedule/kernel.ts';
import { storeIndex } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { ExprEnv, ImportName, BufferPlace } from './expr.ts';

/** Micro-kernel rows × columns (columns are two f32x4), K block and M block. */
export const MR = 4;
export const NR = 8;
const KC = 256;
const MC = MR * Math.floor(128 / MR);

const ceilTo = (x: number, m: number) => Math.ceil(x / m) * m;

/** Floats of packing scratch a matmul needs (packed A block, packed B block, accumulators). */
export function matmulScratch(k: MatmulKernel): number {
  const np = ceilTo(k.n, NR);
  return MC * Math.min(KC, k.k) + Math.min(KC, k.k) * np + ceilTo(k.m, MR) * np;
}

interface Ctx {
  readonly f: FuncBuilder;
  readonly k: MatmulKernel;
  readonly np: number;
  readonly ap: number;
  readonly bp: number;
  readonly cp: number;
  readonly L: Record<'b' | 'pc' | 'kc' | 'ic' | 'mc' | 'jr' | 'is' | 'p' | 'q' | 'x', number>;
}

/** Push the byte address of view element (b, row, col); `base` in elements, row/col i32 locals. */
function viewAddr(c: Ctx, v: StridedView, base: number, row: number | null, col: number | null) {
  const { f, L } = c;
  f.i32(base + v.offset);
  const term = (local: number | null, stride: number) => {
    if (local === null || stride === 0) return;
    f.get(local);
    if (stride !== 1) f.i32(stride).op(OP.i32_mul);
    f.op(OP.i32_add);
  };
  if (c.k.batch > 1) term(L.b, v.batchStride);
  term(row, v.rowStride);
  term(col, v.colStride);
  f.i32(2).op(OP.i32_shl);
}

/** x = a + b on i32 locals/constants. */
function setSum(f: FuncBuilder, x: number, a: number, b: number, bConst = false): void {
  f.get(a);
  if (bConst) f.i32(b);
  else f.get(b);
  f.op(OP.i32_add).set(x);
}

/** Pack B[pc:pc+kc, :] into panels of NR columns: bp[(jp·kc + p)·NR + c], zero past column n. */
function packB(c: Ctx, bBase: number): void {
  const { f, k, L } = c;
  const v = k.b;
  const full = Math.floor(k.n / NR);
  const dst = f.local('i32');
  f.i32(c.bp).set(dst);
  const row = f.local('i32');
  const col = f.local('i32');
  // Full panels: the inner loop runs along the operand's contiguous direction.
  if (full > 0) {
    f.forRange(L.jr, 0, full, 1, () => {
      f.i32(0).set(L.p);
      f.op(OP.loop, 0x40);
      setSum(f, row, L.pc, L.p);
      f.get(L.jr).i32(NR).op(OP.i32_mul).set(col);
      if (v.colStride === 1) {
        for (const h of [0, 16]) {
          f.get(dst);
          viewAddr(c, v, bBase / 4, row, col);
          f.v128Load(h).v128Store(h);
        }
      } else {
        for (let q = 0; q < NR; q++) {
          f.get(dst);
          viewAddr(c, v, bBase / 4 + q * v.colStride, row, col);
          f.mem(OP.f32_load).mem(OP.f32_store, 4 * q);
        }
      }
      f.get(dst)
        .i32(4 * NR)
        .op(OP.i32_add)
        .set(dst);
      f.get(L.p).i32(1).op(OP.i32_add).tee(L.p).get(L.kc).op(OP.i32_lt_s).op(OP.br_if, 0);
      f.op(OP.end);
    });
  }
  if (k.n % NR === 0) return;
  // The last, partial panel: columns past n are zero.
  f.i32(0).set(L.p);
  f.op(OP.loop, 0x40);
  setSum(f, row, L.pc, L.p);
  for (let q = 0; q < NR; q++) {
    const j = full * NR + q;
    f.get(dst);
    if (j < k.n) {
      viewAddr(c, v, bBase / 4 + j * v.colStride, row, null);
      f.mem(OP.f32_load);
    } else f.op(OP.f32_const, 0, 0, 0, 0);
    f.mem(OP.f32_store, 4 * q);
  }
  f.get(dst)
    .i32(4 * NR)
    .op(OP.i32_add)
    .set(dst);
  f.get(L.p).i32(1).op(OP.i32_add).tee(L.p).get(L.kc).op(OP.i32_lt_s).op(OP.br_if, 0);
  f.op(OP.end);
}

/** Pack A[ic:ic+mc, pc:pc+kc] into strips of MR rows: ap[(s·kc + p)·MR + r], zero past row m. */
function packA(c: Ctx, aBase: number): void {
  const { f, k, L } = c;
  const v = k.a;
  const dst = f.local('i32');
  const row = f.local('i32');
  const col = f.local('i32');
  const strips = f.local('i32');
  f.get(L.mc)
    .i32(MR - 1)
    .op(OP.i32_add)
    .i32(MR)
    .op(OP.i32_div_s)
    .set(strips);
  f.i32(0).set(L.is);
  f.op(OP.loop, 0x40);
  for (let r = 0; r < MR; r++) {
    // dst = ap + ((is·kc)·MR + r)·4, then +MR·4 per p
    f.get(L.is).get(L.kc).op(OP.i32_mul).i32(MR).op(OP.i32_mul).i32(r).op(OP.i32_add);
    f.i32(2).op(OP.i32_shl).i32(c.ap).op(OP.i32_add).set(dst);
    f.get(L.ic).get(L.is).i32(MR).op(OP.i32_mul).op(OP.i32_add).i32(r).op(OP.i32_add).set(row);
    f.get(row).i32(k.m).op(OP.i32_lt_s);
    f.ifElse(
      () => {
        f.i32(0).set(L.p);
        f.op(OP.loop, 0x40);
        setSum(f, col, L.pc, L.p);
        f.get(dst);
        viewAddr(c, v, aBase / 4, row, col);
        f.mem(OP.f32_load).mem(OP.f32_store);
        f.get(dst)
          .i32(4 * MR)
          .op(OP.i32_add)
          .set(dst);
        f.get(L.p).i32(1).op(OP.i32_add).tee(L.p).get(L.kc).op(OP.i32_lt_s).op(OP.br_if, 0);
        f.op(OP.end);
      },
      () => {
        f.i32(0).set(L.p);
        f.op(OP.loop, 0x40);
        f.get(dst).op(OP.f32_const, 0, 0, 0, 0).mem(OP.f32_store);
        f.get(dst)
          .i32(4 * MR)
          .op(OP.i32_add)
          .set(dst);
        f.get(L.p).i32(1).op(OP.i32_add).tee(L.p).get(L.kc).op(OP.i32_lt_s).op(OP.br_if, 0);
        f.op(OP.end);
      },
    );
  }
  f.get(L.is).i32(1).op(OP.i32_add).tee(L.is).get(strips).op(OP.i32_lt_s).op(OP.br_if, 0);
  f.op(OP.end);
}

/** C[strip is of block ic, panel jr] (+)= Ap strip · Bp panel, MR×NR accumulators in registers. */
function microKernel(c: Ctx, acc: number[]): void {
  const { f, L } = c;
  const [aP, bP, cP] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const [b0, b1, a] = [f.local('v128'), f.local('v128'), f.local('v128')];
  // cP = cp + ((ic + is·MR)·np + jr·NR)·4
  f.get(L.ic).get(L.is).i32(MR).op(OP.i32_mul).op(OP.i32_add).i32(c.np).op(OP.i32_mul);
  f.get(L.jr).i32(NR).op(OP.i32_mul).op(OP.i32_add).i32(2).op(OP.i32_shl);
  f.i32(c.cp).op(OP.i32_add).set(cP);
  f.get(L.pc).op(OP.i32_eqz);
  f.ifElse(
    () => {
      for (const x of acc) f.simd(SIMD.v128_const, ...new Array<number>(16).fill(0)).set(x);
    },
    () => {
      acc.forEach((x, n) => {
        const [r, h] = [n >> 1, n & 1];
        f.get(cP)
          .v128Load(4 * (r * c.np + 4 * h))
          .set(x);
      });
    },
  );
  f.get(L.is)
    .get(L.kc)
    .op(OP.i32_mul)
    .i32(4 * MR)
    .op(OP.i32_mul)
    .i32(c.ap)
    .op(OP.i32_add)
    .set(aP);
  f.get(L.jr)
    .get(L.kc)
    .op(OP.i32_mul)
    .i32(4 * NR)
    .op(OP.i32_mul)
    .i32(c.bp)
    .op(OP.i32_add)
    .set(bP);
  f.get(L.kc).set(L.q);
  f.op(OP.loop, 0x40);
  f.get(bP).v128Load(0).set(b0);
  f.get(bP).v128Load(16).set(b1);
  for (let r = 0; r < MR; r++) {
    f.get(aP)
      .splatLoad(4 * r)
      .set(a);
    for (const [h, b] of [
      [0, b0],
      [1, b1],
    ] as const) {
      const x = acc[2 * r + h]!;
      f.get(x).get(a).get(b).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(x);
    }
  }
  f.get(aP)
    .i32(4 * MR)
    .op(OP.i32_add)
    .set(aP);
  f.get(bP)
    .i32(4 * NR)
    .op(OP.i32_add)
    .set(bP);
  f.get(L.q).i32(1).op(OP.i32_sub).tee(L.q).op(OP.br_if, 0);
  f.op(OP.end);
  acc.forEach((x, n) => {
    const [r, h] = [n >> 1, n & 1];
    f.get(cP)
      .get(x)
      .v128Store(4 * (r * c.np + 4 * h));
  });
}

/** for (x = 0; x < to; x += step) with `to` in a local or constant. */
function loopTo(
  f: FuncBuilder,
  x: number,
  to: number,
  isLocal: boolean,
  step: number,
  body: () => void,
) {
  f.i32(0).set(x);
  f.op(OP.loop, 0x40);
  body();
  f.get(x).i32(step).op(OP.i32_add).tee(x);
  if (isLocal) f.get(to);
  else f.i32(to);
  f.op(OP.i32_lt_s).op(OP.br_if, 0);
  f.op(OP.end);
}

/** x = min(cap, total − at). */
function setMin(f: FuncBuilder, x: number, cap: number, total: number, at: number): void {
  f.i32(total).get(at).op(OP.i32_sub).tee(x).i32(cap).get(x).i32(cap).op(OP.i32_lt_s).op(OP.select);
  f.set(x);
}

/**
 * The whole kernel as one wasm function of no arguments (every address is a constant of the
 * memory plan). `scratch` is the byte offset of its packing area.
 */
export function renderMatmul(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  scratch: number,
  fn: (name: ImportName) => number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const np = ceilTo(k.n, NR);
  const kc0 = Math.min(KC, k.k);
  const L = {
    b: f.local('i32'),
    pc: f.local('i32'),
    kc: f.local('i32'),
    ic: f.local('i32'),
    mc: f.local('i32'),
    jr: f.local('i32'),
    is: f.local('i32'),
    p: f.local('i32'),
    q: f.local('i32'),
    x: f.local('i32'),
  };
  const ap = scratch;
  const bp = ap + 4 * MC * kc0;
  const cp = bp + 4 * kc0 * np;
  const c: Ctx = { f, k, np, ap, bp, cp, L };
  const acc = Array.from({ length: (MR * NR) / 4 }, () => f.local('v128'));
  const [i, j, accL] = [f.local('i32'), f.local('i32'), f.local('f64')];
  const env: ExprEnv = {
    f,
    place,
    vars: (name) => (name === 'i' ? i : name === 'j' ? j : L.b),
    acc: accL,
    fn,
  };
  const epi = new ScalarEmitter(
    env,
    k.stores.map((s) => s.expr),
  );
  const at = storeIndex(k);
  loopTo(f, L.b, k.batch, false, 1, () => {
    loopTo(f, L.pc, k.k, false, KC, () => {
      setMin(f, L.kc, KC, k.k, L.pc);
      packB(c, place(k.b.buf).at);
      loopTo(f, L.ic, k.m, false, MC, () => {
        setMin(f, L.mc, MC, k.m, L.ic);
        packA(c, place(k.a.buf).at);
        loopTo(f, L.jr, np / NR, false, 1, () => {
          const strips = f.local('i32');
          f.get(L.mc)
            .i32(MR - 1)
            .op(OP.i32_add)
            .i32(MR)
            .op(OP.i32_div_s)
            .set(strips);
          loopTo(f, L.is, strips, true, 1, () => microKernel(c, acc));
        });
      });
    });
    // Epilogue: acc = C[i, j] (float64, as the TS kernel sees it), then the fused stores.
    loopTo(f, i, k.m, false, 1, () => {
      loopTo(f, j, k.n, false, 1, () => {
        f.get(i).i32(np).op(OP.i32_mul).get(j).op(OP.i32_add).i32(2).op(OP.i32_shl);
        f.mem(OP.f32_load, cp).op(OP.f64_promote_f32).set(accL);
        epi.stores(k.stores, at);
      });
    });
  });
  return f;
}
