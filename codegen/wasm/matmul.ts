// Matmul kernels in wasm SIMD: operands of any strided view (plain or transposed, as the backward
// pass has them) are packed into contiguous strips and panels (pack.ts), so xᵀ·δ and δ·Wᵀ run the
// same micro-kernel (micro.ts) as x·W. The loops block K by KC (one packed B panel stays in L1)
// and M by MC (the packed A block stays in L2), as BLIS does. A kernel is two functions: the
// product of B panels [t·P/nt, (t+1)·P/nt) into the accumulator block C (so threads can share
// the panels), and the epilogue (bias, activation, optimizer update) per element of C, as the TS
// kernel computes it.
import type { StridedView } from '../../src/schedule/kernel.ts';
import { batchTerms } from '../../src/schedule/kernel.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { storeIndex } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { ExprEnv, ImportName, BufferPlace } from './expr.ts';
import { MR, NR } from './micro.ts';
import { packStrip } from './pack.ts';
import type { PackSpec } from './pack.ts';

/**
 * K block (a packed B panel of KC·NR floats, 16 KiB, half the 32 KiB L1d) and M block (the packed
 * A block, MC·KC floats = 240 KiB, under half the 512 KiB L2 per core of this AMD EPYC); MC is a
 * multiple of MR. Re-swept on 1024² (CPU time, unrolled micro-kernel): no pair of 256×64,
 * 256×240, 512×32, 1024×32, 1024×120 or 128×240 beat 512×120, though this loaded machine's noise
 * (±10% between runs) hides differences of a few percent. Re-swept with the 24-instruction
 * micro-kernel (W3, 30 interleaved CPU-timed runs, load 9): 256×120, 512×60, 512×240 and 1024×60
 * ran 0.97–1.01× of 512×120 in paired medians, quartiles ±5%.
 */
const KC = 512;
const MC = 120;

const ceilTo = (x: number, m: number) => Math.ceil(x / m) * m;

/** Bytes of the accumulator block C (all batches), shared by the threads of a kernel. */
export const accBytes = (k: MatmulKernel) => 4 * k.batch * ceilTo(k.m, MR) * ceilTo(k.n, NR);

/** Bytes of one thread's packing scratch (its A block and its B panels, at most all of them). */
export const packBytes = (k: MatmulKernel) => 4 * Math.min(KC, k.k) * (MC + ceilTo(k.n, NR));

/** for (x = 0; x < to; x += step), skipped when to ≤ 0. */
function loop(f: FuncBuilder, x: number, to: number, step: number, body: () => void) {
  if (to <= 0) return;
  f.i32(0).set(x);
  f.op(OP.loop, 0x40);
  body();
  f.get(x).i32(step).op(OP.i32_add).tee(x).i32(to).op(OP.i32_lt_s).op(OP.br_if, 0);
  f.op(OP.end);
}

/** for (x = from; x < to; x++) with from and to in locals. */
function range(f: FuncBuilder, x: number, from: number, to: number, body: () => void) {
  f.get(from).set(x);
  f.op(OP.block, 0x40);
  f.get(x).get(to).op(OP.i32_ge_s).op(OP.br_if, 0);
  f.op(OP.loop, 0x40);
  body();
  f.get(x).i32(1).op(OP.i32_add).tee(x).get(to).op(OP.i32_lt_s).op(OP.br_if, 0);
  f.op(OP.end);
  f.op(OP.end);
}

/** x = min(cap, total − at). */
function setMin(f: FuncBuilder, x: number, cap: number, total: number, at: number): void {
  f.i32(total).get(at).op(OP.i32_sub).tee(x).i32(cap).get(x).i32(cap).op(OP.i32_lt_s).op(OP.select);
  f.set(x);
}

/**
 * Pushes the byte address of batch b's first element of view v (buffer at byte `at`): a constant
 * without batch strides, else a local set once per batch (⌊b / div⌋ mod size · stride per axis).
 */
function batchBase(f: FuncBuilder, v: StridedView, at: number): (b: number) => () => void {
  const terms = batchTerms(v);
  const start = at + 4 * v.offset;
  if (terms.length === 0) return () => () => f.i32(start);
  const base = f.local('i32');
  return (b) => {
    addBatchOffset(f.i32(start), b, v).set(base);
    return () => f.get(base);
  };
}

/** Adds batch b's byte offset in view v (⌊b / div⌋ mod size · stride per batch axis). */
export function addBatchOffset(f: FuncBuilder, b: number, v: StridedView): FuncBuilder {
  for (const t of batchTerms(v)) {
    f.get(b);
    if (t.div !== 1) f.i32(t.div).op(OP.i32_div_s);
    if (t.mod) f.i32(t.mod).op(OP.i32_rem_u);
    f.i32(4 * t.stride)
      .op(OP.i32_mul)
      .op(OP.i32_add);
  }
  return f;
}

/** dst = byte address of element (row, col) of view v, after its batch's base (`base` pushes it). */
function setAddr(
  f: FuncBuilder,
  dst: number,
  v: StridedView,
  base: () => void,
  at: readonly [row: number, col: number],
) {
  base();
  const strides = [v.rowStride, v.colStride];
  at.forEach((l, d) => {
    if (strides[d] === 0) return;
    const bytes = 4 * strides[d]!;
    f.get(l).i32(bytes).op(OP.i32_mul).op(OP.i32_add);
  });
  f.set(dst);
}

/**
 * product(t, nt): for every batch, C[:, panels of thread t of nt] = A·B, packing into thread t's
 * scratch (byte addresses in `pack`). `acc` is C's byte address, `micro` the micro-kernel.
 */
export function renderProduct(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  acc: number,
  pack: readonly number[],
  micro: number,
): FuncBuilder {
  const f = new FuncBuilder(['i32', 'i32']);
  const [t, nt] = [0, 1];
  const n15 = Array.from({ length: 15 }, () => f.local('i32'));
  const [b, pc, kc, ic, mc, jr, is, src, dst, x, ap, bp, j0, j1, strips] = n15;
  // The packing areas are equally spaced.
  f.i32(pack[0]!);
  if (pack.length > 1) {
    const spacing = pack[1]! - pack[0]!;
    f.get(t).i32(spacing).op(OP.i32_mul).op(OP.i32_add);
  }
  f.set(ap);
  const np = ceilTo(k.n, NR);
  const panels = np / NR;
  const full = Math.floor(k.n / NR);
  const spec = (lane: number, kStride: number, width: number): PackSpec => {
    return { f, laneStride: 4 * lane, kStride: 4 * kStride, width };
  };
  const aSpec = spec(k.a.rowStride, k.a.colStride, MR);
  const bSpec = spec(k.b.colStride, k.b.rowStride, NR);
  const [aBatch, bBatch] = [
    batchBase(f, k.a, place(k.a.buf).at),
    batchBase(f, k.b, place(k.b.buf).at),
  ];
  let [aB, bB] = [() => {}, () => {}]; // this batch's base addresses, set in the batch loop
  // This thread's panels [j0, j1); its B panels are packed after its A block.
  f.get(t).i32(panels).op(OP.i32_mul).get(nt).op(OP.i32_div_s).set(j0);
  f.get(t).i32(1).op(OP.i32_add).i32(panels).op(OP.i32_mul).get(nt).op(OP.i32_div_s).set(j1);
  const aBytes = 4 * MC * Math.min(KC, k.k);
  f.get(ap).i32(aBytes).op(OP.i32_add).set(bp);

  const packB = () => {
    f.get(bp).set(dst);
    range(f, jr, j0, j1, () => {
      f.get(jr).i32(NR).op(OP.i32_mul).set(x); // the panel's first column
      setAddr(f, src, k.b, bB, [pc, x]);
      if (full === panels) packStrip(bSpec, src, dst, kc, NR);
      else {
        f.get(jr).i32(full).op(OP.i32_lt_s);
        f.ifElse(
          () => packStrip(bSpec, src, dst, kc, NR),
          () => packStrip(bSpec, src, dst, kc, k.n % NR),
        );
      }
    });
  };

  const packA = () => {
    f.get(ap).set(dst);
    // Full strips; only the last M block can end in a partial one (MC is a multiple of MR).
    f.get(mc).i32(MR).op(OP.i32_div_s).set(strips);
    f.get(ic).tee(x).get(strips).i32(MR).op(OP.i32_mul).op(OP.i32_add).set(is);
    f.op(OP.block, 0x40);
    f.get(strips).op(OP.i32_eqz).op(OP.br_if, 0);
    f.op(OP.loop, 0x40);
    setAddr(f, src, k.a, aB, [x, pc]);
    packStrip(aSpec, src, dst, kc, MR);
    f.get(x).i32(MR).op(OP.i32_add).tee(x).get(is).op(OP.i32_lt_s).op(OP.br_if, 0);
    f.op(OP.end);
    f.op(OP.end);
    if (k.m % MR !== 0) {
      f.get(x).get(ic).get(mc).op(OP.i32_add).op(OP.i32_lt_s);
      f.ifElse(() => {
        setAddr(f, src, k.a, aB, [x, pc]);
        packStrip(aSpec, src, dst, kc, k.m % MR);
      });
    }
  };

  loop(f, b, k.batch, 1, () => {
    [aB, bB] = [aBatch(b), bBatch(b)];
    loop(f, pc, k.k, KC, () => {
      setMin(f, kc, KC, k.k, pc);
      packB();
      loop(f, ic, k.m, MC, () => {
        setMin(f, mc, MC, k.m, ic);
        packA();
        const up = MR - 1; // strips = ceil(mc / MR)
        f.get(mc).i32(up).op(OP.i32_add).i32(MR).op(OP.i32_div_s).set(strips);
        range(f, jr, j0, j1, () => {
          f.i32(0).set(is);
          f.op(OP.loop, 0x40);
          // micro(aP, bP, cP, kc, ldc, load); constants first, so each chain stays one line
          const [aStep, bStep, rows, ldc] = [4 * MR, 4 * NR, ceilTo(k.m, MR), 4 * np];
          f.get(is).get(kc).op(OP.i32_mul).i32(aStep).op(OP.i32_mul).get(ap).op(OP.i32_add);
          f.get(jr).get(j0).op(OP.i32_sub).get(kc).op(OP.i32_mul);
          f.i32(bStep).op(OP.i32_mul).get(bp).op(OP.i32_add);
          f.get(b).i32(rows).op(OP.i32_mul).get(ic).op(OP.i32_add);
          f.get(is).i32(MR).op(OP.i32_mul).op(OP.i32_add).i32(np).op(OP.i32_mul);
          f.get(jr).i32(NR).op(OP.i32_mul).op(OP.i32_add).i32(2).op(OP.i32_shl);
          f.i32(acc).op(OP.i32_add).get(kc).i32(ldc).get(pc);
          f.call(micro);
          f.get(is).i32(1).op(OP.i32_add).tee(is).get(strips).op(OP.i32_lt_s).op(OP.br_if, 0);
          f.op(OP.end);
        });
      });
    });
  });
  return f;
}

/**
 * The byte address the product can write C to directly, or null: when the epilogue only stores
 * the accumulator (no bias, activation or update) into a float32 buffer that A and B are not, and
 * C's padded layout [batch, ⌈m⌉₄, ⌈n⌉₈] is the buffer's [batch, m, n] (m % MR = n % NR = 0), the
 * product needs no accumulator block and the epilogue no pass over C (a whole pass for the small
 * batched matmuls of attention, where K is the head width).
 */
export function directOutput(k: MatmulKernel, place: (buf: string) => BufferPlace): number | null {
  const [s] = k.stores;
  if (k.stores.length !== 1 || s!.expr.k !== 'acc') return null;
  if (k.m % MR !== 0 || k.n % NR !== 0 || s!.buf === k.a.buf || s!.buf === k.b.buf) return null;
  const out = place(s!.buf);
  return out.dtype === 'f32' ? out.at : null;
}

/** The epilogue: for each element, acc = C[b, i, j] (float64, as in TS), then the fused stores. */
export function renderEpilogue(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  acc: number,
  fn: (name: ImportName) => number,
): FuncBuilder {
  const f = new FuncBuilder([]);
  const [b, i, j, accL] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('f64')];
  const env: ExprEnv = {
    f,
    place,
    vars: (name) => (name === 'i' ? i : name === 'j' ? j : b),
    acc: accL,
    fn,
  };
  const epi = new ScalarEmitter(
    env,
    k.stores.map((s) => s.expr),
  );
  const at = storeIndex(k);
  const np = ceilTo(k.n, NR);
  loop(f, b, k.batch, 1, () => {
    loop(f, i, k.m, 1, () => {
      loop(f, j, k.n, 1, () => {
        f.get(b).i32(ceilTo(k.m, MR)).op(OP.i32_mul).get(i).op(OP.i32_add);
        f.i32(np).op(OP.i32_mul).get(j).op(OP.i32_add).i32(2).op(OP.i32_shl);
        f.mem(OP.f32_load, acc).op(OP.f64_promote_f32).set(accL);
        epi.stores(k.stores, at);
      });
    });
  });
  return f;
}
