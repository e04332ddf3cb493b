// The fuzzer's int32 draws: arithmetic on full-range values that overflows and wraps modulo 2³²,
// sometimes summed (read by the reduction's epilogue) or scatter-added, as f32 in [−1, 1].
import * as B from '../builder/ops.ts';
import type { Node } from '../ir/node.ts';
import type { Gen } from './fuzz.ts';

/** int32 arithmetic on full-range values, which overflows and wraps modulo 2³² on every target. */
export function wrappingStep(s: Gen, ints: Node): Node {
  const big = s.g.input(s.fresh('big'), ints.shape, 'i32');
  const v = Array.from({ length: ints.size }, () => s.int(-(2 ** 31), 2 ** 31 - 1));
  s.inputs[big.label!] = Int32Array.from(v);
  s.leafValues.set(big, Float64Array.from(v));
  const op = s.pick([B.add, B.sub, B.mul]);
  const w = s.chance(0.5) ? op(ints, big) : B.abs(B.neg(op(big, ints)));
  // Scaled by 2⁻³¹ (exact) into [−1, 1]; the cast to f32 rounds alike on every target.
  const scaled = (x: Node) => B.mul(B.cast(x, 'f32'), 2 ** -31);
  const pick = s.aux();
  if (w.rank === 0 || pick >= 0.5) return scaled(w);
  if (pick < 0.25) {
    // A wrapping i32 sum read by its reduction's epilogue (the cast), broadcast back.
    const axis = Math.floor(s.aux() * w.rank);
    const kept = w.shape.map((d, i) => (i === axis ? 1 : d));
    return B.broadcastTo(B.reshape(scaled(B.sum(w, [axis])), kept), w.shape);
  }
  // A wrapping i32 scatter-add of the rows into rows of the same shape.
  const n = w.shape[0]!;
  const idx = s.g.input(s.fresh('idx'), [n], 'i32');
  const iv = Array.from({ length: n }, () => Math.floor(s.aux() * n));
  s.inputs[idx.label!] = Int32Array.from(iv);
  s.leafValues.set(idx, Float64Array.from(iv));
  return scaled(B.scatterAdd(w, idx, 0, n));
}
