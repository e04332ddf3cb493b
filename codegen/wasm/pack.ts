// Packing of matmul operands for the micro-kernel: any strided view of A or B (plain, transposed,
// sliced, batched) is copied block by block into contiguous strips of MR rows and panels of NR
// columns, zero-padded past the matrix edge. The copy walks a source pointer by the K stride; the
// offsets of a strip's lanes are constants folded into the loads' memarg, and lanes that are
// contiguous in the source (rows of a transposed A, columns of a plain B) move four at a time.
import { FuncBuilder, OP, SIMD } from './encoder.ts';

/** How one operand is packed: the strides of its view (in bytes) and the strip width. */
export interface PackSpec {
  readonly f: FuncBuilder;
  /** Bytes between consecutive elements along the packed lanes (rows of A, columns of B). */
  readonly laneStride: number;
  /** Bytes between consecutive elements along K. */
  readonly kStride: number;
  /** Lanes per strip (MR or NR). */
  readonly width: number;
}

const zero16 = new Array<number>(16).fill(0);

/** Push `ptr + bytes` as an address and return the memarg offset to use with it. */
function addr(f: FuncBuilder, ptr: number, bytes: number): number {
  f.get(ptr);
  if (bytes < 0) f.i32(bytes).op(OP.i32_add); // memarg offsets are unsigned
  return Math.max(bytes, 0);
}

/**
 * Copy `lanes` lanes (the rest of the strip's `width` stays zero) of one K step from src into dst
 * (dst's lanes are contiguous), four at a time where the source lanes are contiguous too.
 */
function copyStep(s: PackSpec, src: number, dst: number, lanes: number): void {
  const { f, laneStride } = s;
  let l = 0;
  while (l < s.width) {
    if (l + 4 <= lanes && laneStride === 4) {
      f.get(dst);
      f.v128Load(addr(f, src, 4 * l));
      f.v128Store(4 * l);
      l += 4;
    } else if (l >= lanes && l + 4 <= s.width) {
      f.get(dst)
        .simd(SIMD.v128_const, ...zero16)
        .v128Store(4 * l);
      l += 4;
    } else {
      f.get(dst);
      if (l < lanes) f.mem(OP.f32_load, addr(f, src, l * laneStride));
      else f.op(OP.f32_const, 0, 0, 0, 0);
      f.mem(OP.f32_store, 4 * l);
      l += 1;
    }
  }
}

/**
 * Pack one strip: `kc` K steps (an i32 local, ≥ 1) from the source at byte address `src` into
 * `dst` (both i32 locals, advanced past the strip); `lanes` of the strip's lanes are real.
 */
export function packStrip(s: PackSpec, src: number, dst: number, kc: number, lanes: number): void {
  const { f } = s;
  const p = f.local('i32');
  f.get(kc).set(p);
  f.op(OP.loop, 0x40);
  copyStep(s, src, dst, lanes);
  f.get(src).i32(s.kStride).op(OP.i32_add).set(src);
  const step = 4 * s.width;
  f.get(dst).i32(step).op(OP.i32_add).set(dst);
  f.get(p).i32(1).op(OP.i32_sub).tee(p).op(OP.br_if, 0);
  f.op(OP.end);
}
