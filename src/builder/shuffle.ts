// Movement composites with PyTorch's names: flip, roll, stack, tril, triu, takeAlongAxis. All are
// views or gathers of the input, so they fuse into their consumers and differentiate exactly.
import type { Node } from '../ir/node.ts';
import { opError } from '../ir/errors.ts';
import { captureSite } from '../ir/site.ts';
import * as B from './ops.ts';

const norm = (x: Node, axis: number) => (axis < 0 ? axis + x.rank : axis);

/** Reverse the order of elements along each of `dims`. */
export function flip(x: Node, dims: number | readonly number[]): Node {
  let y = x;
  for (const d of typeof dims === 'number' ? [dims] : dims) {
    const ax = norm(x, d);
    const n = x.shape[ax]!;
    const rev = B.sub(n - 1, B.iota(x.graph, [n], 0, 'i32'));
    y = B.gather(y, rev, ax);
  }
  return y;
}

/** Shift elements along `dims` by `shifts`, wrapping around (torch.roll with dims). */
export function roll(
  x: Node,
  shifts: number | readonly number[],
  dims: number | readonly number[],
): Node {
  const ss = typeof shifts === 'number' ? [shifts] : shifts;
  const ds = typeof dims === 'number' ? [dims] : dims;
  let y = x;
  ds.forEach((d, k) => {
    const ax = norm(x, d);
    const n = x.shape[ax]!;
    const s = (((ss[k] ?? 0) % n) + n) % n;
    if (s === 0) return;
    const part = (lo: number, hi: number) =>
      B.slice(
        y,
        x.shape.map((m, i) => (i === ax ? [lo, hi] : [0, m])),
      );
    y = B.concat([part(n - s, n), part(0, n - s)], ax);
  });
  return y;
}

/** Join tensors of one shape along a new axis. */
export function stack(xs: readonly Node[], axis = 0): Node {
  const first = xs[0];
  if (!first) throw opError('shape', 'stack', 'needs at least one tensor', [], captureSite());
  const ax = axis < 0 ? axis + first.rank + 1 : axis;
  const parts = xs.map((x) => {
    if (x.shape.join() !== first.shape.join()) {
      throw opError(
        'shape',
        'stack',
        'tensors must have the same shape',
        [first.shape, x.shape],
        captureSite(),
      );
    }
    return B.reshape(x, [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]);
  });
  return B.concat(parts, ax);
}

/** Keep entries with col − row ≤ diagonal (lower) or ≥ diagonal (upper) of the last two axes. */
function triangle(x: Node, diagonal: number, lower: boolean): Node {
  if (x.rank < 2)
    throw opError('shape', lower ? 'tril' : 'triu', 'needs rank ≥ 2', [x.shape], captureSite());
  const row = B.iota(x.graph, x.shape, x.rank - 2, 'i32');
  const col = B.iota(x.graph, x.shape, x.rank - 1, 'i32');
  const off = B.sub(col, row);
  return B.where(lower ? B.le(off, diagonal) : B.ge(off, diagonal), x, 0);
}

export const tril = (x: Node, diagonal = 0): Node => triangle(x, diagonal, true);
export const triu = (x: Node, diagonal = 0): Node => triangle(x, diagonal, false);

/**
 * numpy's take_along_axis (torch.gather): out[..., j, ...] = x[..., indices[..., j, ...], ...] along
 * `axis`; indices (i32) have x's rank and x's shape off `axis`. One gather on the flattened x, so
 * the gradient is one scatter-add.
 */
export function takeAlongAxis(x: Node, indices: Node, axis: number): Node {
  const ax = norm(x, axis);
  const fits =
    indices.rank === x.rank && indices.shape.every((d, i) => i === ax || d === x.shape[i]);
  if (!fits || indices.dtype !== 'i32') {
    throw opError(
      'shape',
      'takeAlongAxis',
      `indices must be i32 of x's shape off axis ${ax}`,
      [x.shape, indices.shape],
      captureSite(),
    );
  }
  // Move the axis last, so each row of `rows` rows reads its own n entries.
  const perm = [...x.shape.keys()].filter((i) => i !== ax).concat(ax);
  const xp = B.permute(x, perm);
  const ip = B.permute(indices, perm);
  const n = x.shape[ax]!;
  const m = indices.shape[ax]!;
  const rows = xp.size / n;
  const base = B.broadcastTo(B.reshape(B.mul(B.iota(x.graph, [rows], 0, 'i32'), n), [rows, 1]), [
    rows,
    m,
  ]);
  const at = B.add(base, B.reshape(ip, [rows, m]));
  const picked = B.reshape(B.gather(B.reshape(xp, [rows * n]), at, 0), ip.shape);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return B.permute(picked, inverse);
}
