// Reduction composites with PyTorch's names: amin, prod, std, norm, argmax, argmin.
import type { Node } from '../ir/node.ts';
import { opError } from '../ir/errors.ts';
import { captureSite } from '../ir/site.ts';
import { variance } from './composite.ts';
import * as B from './ops.ts';

type Axes = number | readonly number[] | undefined;

function count(x: Node, axes: Axes): number {
  const list =
    axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : axes;
  return list.reduce((n, a) => n * x.shape[a < 0 ? a + x.rank : a]!, 1);
}

/** The minimum over axes (ties share the gradient, as max does): −max(−x). */
export function amin(x: Node, axes?: Axes, keepdims = false): Node {
  return B.neg(B.max(B.neg(x), axes, keepdims));
}

/**
 * The product over axes, as torch.prod: a tree of pairwise products (log₂ n levels of strided
 * views, O(n) multiplies). Its gradient is then the product of the *others* along each path, exact
 * where elements are 0 (no division by x), and differentiable again like any product.
 */
export function prod(x: Node, axes?: Axes, keepdims = false): Node {
  const list =
    axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : axes;
  const ax = [...new Set(list.map((a) => (a < 0 ? a + x.rank : a)))].sort((p, q) => p - q);
  if (ax.some((a) => !(a >= 0 && a < x.rank))) {
    throw opError('attr', 'prod', `bad axes [${list}]`, [x.shape], captureSite());
  }
  const kept = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const keptShape = kept.map((i) => x.shape[i]!);
  let n = count(x, ax);
  let y = B.reshape(B.permute(x, [...kept, ...ax]), [...keptShape, n]);
  const whole = keptShape.map((d) => [0, d]);
  while (n > 1) {
    if (n % 2 === 1) {
      // An odd row gets a 1 at its end, the product's identity.
      y = B.pad(y, [...keptShape.map((): [number, number] => [0, 0]), [0, 1]], 1);
      n += 1;
    }
    y = B.mul(B.slice(y, [...whole, [0, n, 2]]), B.slice(y, [...whole, [1, n, 2]]));
    n /= 2;
  }
  const out = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : keptShape;
  return B.reshape(y, out);
}

/** Standard deviation with Bessel's correction by default (PyTorch: correction = 1). */
export function std(x: Node, axes?: Axes, keepdims = false, correction = 1): Node {
  const n = count(x, axes);
  if (n - correction <= 0) {
    throw opError(
      'shape',
      'std',
      `${n} elements with correction ${correction}`,
      [x.shape],
      captureSite(),
    );
  }
  return B.sqrt(B.mul(variance(x, axes, keepdims), n / (n - correction)));
}

/** The p-norm over axes: p = 2 (Euclidean, the default) or p = 1. */
export function norm(x: Node, p: 1 | 2 = 2, axes?: Axes, keepdims = false): Node {
  return p === 1 ? B.sum(B.abs(x), axes, keepdims) : B.sqrt(B.sum(B.mul(x, x), axes, keepdims));
}

/** Index (i32) of the first maximum along `axis`, as torch.argmax. */
export function argmax(x: Node, axis = -1, keepdims = false): Node {
  return firstIndexOf(x, B.max(x, axis, true), axis, keepdims);
}

/** Index (i32) of the first minimum along `axis`, as torch.argmin. */
export function argmin(x: Node, axis = -1, keepdims = false): Node {
  return firstIndexOf(x, amin(x, axis, true), axis, keepdims);
}

/** The smallest index along `axis` where x equals `extreme` (kept dims), computed in f32. */
function firstIndexOf(x: Node, extreme: Node, axis: number, keepdims: boolean): Node {
  const ax = axis < 0 ? axis + x.rank : axis;
  const n = x.shape[ax]!;
  const pos = B.cast(B.iota(x.graph, x.shape, ax, 'i32'), 'f32');
  const hit = B.eq(x, B.broadcastTo(extreme, x.shape));
  // Indices stay exact in f32 (below 2²⁴); misses count as n, never the minimum.
  const first = amin(B.stopGradient(B.where(hit, pos, n)), ax, keepdims);
  return B.cast(first, 'i32');
}
