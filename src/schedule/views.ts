// Strided views: which chains of movement ops over a buffer are plain (offset, strides) access.
// Matmul reads its operands through such views, so transposes and batch broadcasts are never copied.
import type { Node } from '../ir/node.ts';
import { strides as rowMajor } from '../ir/shape.ts';
import { isOp } from '../ops/dispatch.ts';
import type { BatchAxis, StridedView } from './kernel.ts';

export interface Strided {
  readonly base: Node;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** Follow views from `x` down to a node with a buffer (per `hasBuffer`), or null if not strided. */
export function stridedOf(x: Node, hasBuffer: (n: Node) => boolean): Strided | null {
  if (hasBuffer(x)) return { base: x, offset: 0, strides: rowMajor(x.shape) };
  const inner = x.inputs[0];
  if (!inner) return null;
  if (isOp(x, 'permute')) {
    const s = stridedOf(inner, hasBuffer);
    return s && { ...s, strides: x.attrs.perm.map((p) => s.strides[p]!) };
  }
  if (isOp(x, 'broadcast')) {
    const s = stridedOf(inner, hasBuffer);
    if (!s) return null;
    const off = x.rank - inner.rank;
    const st = x.shape.map((_, i) =>
      i < off || inner.shape[i - off] === 1 ? 0 : s.strides[i - off]!,
    );
    return { ...s, strides: st };
  }
  if (isOp(x, 'slice')) {
    const s = stridedOf(inner, hasBuffer);
    if (!s) return null;
    const { starts, steps } = x.attrs;
    const offset = s.offset + starts.reduce((acc, v, d) => acc + v * s.strides[d]!, 0);
    return { ...s, offset, strides: s.strides.map((v, d) => v * steps[d]!) };
  }
  if (isOp(x, 'reshape')) {
    const s = stridedOf(inner, hasBuffer);
    return s && reshapeStrides(s, inner.shape, x.shape);
  }
  return null;
}

const VIEW_OPS: ReadonlySet<string> = new Set(['permute', 'broadcast', 'slice', 'reshape']);

/** The node under a chain of the view ops stridedOf follows (x itself when x is no view). */
export function viewBase(x: Node): Node {
  let n = x;
  while (VIEW_OPS.has(n.op) && n.inputs[0]) n = n.inputs[0];
  return n;
}

/** A reshape keeps a view strided when the source is contiguous or only 1-sized axes change. */
function reshapeStrides(
  s: Strided,
  from: readonly number[],
  to: readonly number[],
): Strided | null {
  const contiguous = rowMajor(from).every((v, i) => from[i] === 1 || v === s.strides[i]);
  if (contiguous) return { ...s, strides: rowMajor(to) };
  const core = (sh: readonly number[]) => sh.filter((d) => d !== 1);
  if (core(from).join() !== core(to).join()) return null;
  const kept = s.strides.filter((_, i) => from[i] !== 1);
  let k = 0;
  return { ...s, strides: to.map((d) => (d === 1 ? 0 : kept[k++]!)) };
}

/**
 * A matmul operand [..., R, C] read in place: any batch axes (a head-split permute [B,T,H,d] →
 * [B,H,T,d], a batch broadcast along some axes) become per-axis strides, merged where contiguous.
 */
export function matmulView(s: Strided, shape: readonly number[], buf: string): StridedView {
  const r = shape.length;
  const batch: BatchAxis[] = [];
  for (let d = 0; d < r - 2; d++) {
    const [size, stride] = [shape[d]!, s.strides[d]!];
    if (size === 1) continue;
    const outer = batch[batch.length - 1];
    if (outer && outer.stride === stride * size) {
      batch[batch.length - 1] = { size: outer.size * size, stride };
    } else batch.push({ size, stride });
  }
  return {
    buf,
    offset: s.offset,
    batch,
    rowStride: s.strides[r - 2]!,
    colStride: s.strides[r - 1]!,
  };
}
