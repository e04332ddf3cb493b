// Function-style primitive ops with numpy broadcasting; the methods on Node call these.
import type { DType } from '../ir/dtype.ts';
import { GraphError, opError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import { broadcastShapes, normAxes, sameShape, size } from '../ir/shape.ts';
import { captureSite } from '../ir/site.ts';
import type { BinaryOp, CompareOp, UnaryOp } from '../ops/names.ts';
import type { RandDist } from '../schedule/expr.ts';

/** A node, or a plain number that takes the other operand's shape and dtype. */
export type Operand = Node | number;

function graphOf(...xs: Operand[]): Graph {
  for (const x of xs) if (typeof x !== 'number') return x.graph;
  throw new GraphError('graph', 'an op needs at least one node operand', captureSite());
}

export function constant(g: Graph, value: number, shape: Shape = [], dtype: DType = 'f32'): Node {
  if (typeof value !== 'number') {
    const msg = `constant: the value must be a number, got ${describeValue(value)}`;
    throw new GraphError('attr', msg, captureSite());
  }
  return g.apply('constant', [], { value, shape: [...shape], dtype });
}

/** A literal tensor (row-major values). */
export function tensor(g: Graph, values: readonly number[], shape: Shape = [values.length]): Node {
  if (values.length !== size(shape)) {
    throw new GraphError(
      'shape',
      `tensor: ${values.length} values for shape [${shape}]`,
      captureSite(),
    );
  }
  // Values are pasted into generated code: anything but a number is refused here.
  const bad = values.findIndex((v) => typeof v !== 'number');
  if (bad >= 0) {
    const msg = `tensor: value [${bad}] must be a number, got ${describeValue(values[bad])}`;
    throw new GraphError('attr', msg, captureSite());
  }
  return g.apply('tensor', [], { values: [...values], shape: [...shape] });
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : typeof v;
}

export function zerosLike(x: Node): Node {
  return constant(x.graph, 0, x.shape, x.dtype);
}

export function unary(op: UnaryOp, x: Node): Node {
  return x.graph.apply(op, [x]);
}

/** Broadcast both operands to their common shape (numpy rules), lifting numbers to constants. */
export function broadcastPair(op: string, a: Operand, b: Operand): [Node, Node] {
  const g = graphOf(a, b);
  const like = typeof a === 'number' ? (b as Node) : a;
  const x = typeof a === 'number' ? constant(g, a, like.shape, like.dtype) : a;
  const y = typeof b === 'number' ? constant(g, b, x.shape, x.dtype) : b;
  const shape = broadcastShapes(x.shape, y.shape);
  if (!shape)
    throw opError('shape', op, 'shapes do not broadcast', [x.shape, y.shape], captureSite());
  return [broadcastTo(x, shape), broadcastTo(y, shape)];
}

export function binary(op: BinaryOp | CompareOp, a: Operand, b: Operand): Node {
  const [x, y] = broadcastPair(op, a, b);
  return x.graph.apply(op, [x, y]);
}

export const add = (a: Operand, b: Operand): Node => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Node => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Node => binary('mul', a, b);
export const div = (a: Operand, b: Operand): Node => binary('div', a, b);
export const pow = (a: Operand, b: Operand): Node => binary('pow', a, b);
export const maximum = (a: Operand, b: Operand): Node => binary('maximum', a, b);
export const minimum = (a: Operand, b: Operand): Node => binary('minimum', a, b);
export const eq = (a: Operand, b: Operand): Node => binary('eq', a, b);
export const ne = (a: Operand, b: Operand): Node => binary('ne', a, b);
export const lt = (a: Operand, b: Operand): Node => binary('lt', a, b);
export const le = (a: Operand, b: Operand): Node => binary('le', a, b);
export const gt = (a: Operand, b: Operand): Node => binary('gt', a, b);
export const ge = (a: Operand, b: Operand): Node => binary('ge', a, b);

export const neg = (x: Node): Node => unary('neg', x);
export const exp = (x: Node): Node => unary('exp', x);
export const log = (x: Node): Node => unary('log', x);
export const sqrt = (x: Node): Node => unary('sqrt', x);
export const reciprocal = (x: Node): Node => unary('reciprocal', x);
export const sin = (x: Node): Node => unary('sin', x);
export const cos = (x: Node): Node => unary('cos', x);
export const tanh = (x: Node): Node => unary('tanh', x);
export const sigmoid = (x: Node): Node => unary('sigmoid', x);
export const relu = (x: Node): Node => unary('relu', x);
export const abs = (x: Node): Node => unary('abs', x);
export const sign = (x: Node): Node => unary('sign', x);
export const log1p = (x: Node): Node => unary('log1p', x);
export const expm1 = (x: Node): Node => unary('expm1', x);
export const erf = (x: Node): Node => unary('erf', x);
export const tan = (x: Node): Node => unary('tan', x);
export const asin = (x: Node): Node => unary('asin', x);
export const acos = (x: Node): Node => unary('acos', x);
export const atan = (x: Node): Node => unary('atan', x);
export const sinh = (x: Node): Node => unary('sinh', x);
export const cosh = (x: Node): Node => unary('cosh', x);
export const asinh = (x: Node): Node => unary('asinh', x);
export const atanh = (x: Node): Node => unary('atanh', x);
/** Round down; its gradient is zero (as in PyTorch). */
export const floor = (x: Node): Node => unary('floor', x);
export const ceil = (x: Node): Node => unary('ceil', x);
/** Round half to even, as torch.round. */
export const round = (x: Node): Node => unary('round', x);
/** Round toward zero, as torch.trunc. */
export const trunc = (x: Node): Node => unary('trunc', x);
export const square = (x: Node): Node => mul(x, x);

export function where(c: Node, a: Operand, b: Operand): Node {
  const [x, y] = broadcastPair('where', a, b);
  const shape = broadcastShapes(c.shape, x.shape);
  if (!shape)
    throw opError('shape', 'where', 'shapes do not broadcast', [c.shape, x.shape], captureSite());
  return c.graph.apply('where', [
    broadcastTo(c, shape),
    broadcastTo(x, shape),
    broadcastTo(y, shape),
  ]);
}

export function stopGradient(x: Node): Node {
  return x.graph.apply('stop_gradient', [x]);
}

export function cast(x: Node, dtype: DType): Node {
  return x.dtype === dtype ? x : x.graph.apply('cast', [x], { dtype });
}

export function broadcastTo(x: Node, shape: Shape): Node {
  return sameShape(x.shape, shape) ? x : x.graph.apply('broadcast', [x], { shape: [...shape] });
}

export function reshape(x: Node, shape: Shape): Node {
  const known = shape.filter((d) => d !== -1);
  const resolved = shape.map((d) => (d === -1 ? x.size / Math.max(1, size(known)) : d));
  if (sameShape(x.shape, resolved)) return x;
  return x.graph.apply('reshape', [x], { shape: resolved });
}

export function permute(x: Node, perm: readonly number[]): Node {
  if (perm.every((p, i) => p === i) && perm.length === x.rank) return x;
  return x.graph.apply('permute', [x], { perm: [...perm] });
}

/** Swap the last two axes (the matrix transpose; a view, never a copy). */
export function transpose(x: Node): Node {
  const perm = x.shape.map((_, i) => i);
  if (perm.length < 2) return x;
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1]!, perm[perm.length - 2]!];
  return permute(x, perm);
}

function axesOf(x: Node, op: string, axes?: number | readonly number[]): number[] {
  const list =
    axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : axes;
  const norm = normAxes(list, x.rank);
  if (!norm) throw opError('attr', op, `bad axes [${list}]`, [x.shape], captureSite());
  return norm;
}

function reduce(
  op: 'sum' | 'max',
  x: Node,
  axes?: number | readonly number[],
  keepdims = false,
): Node {
  const ax = axesOf(x, op, axes);
  if (ax.length === 0) return x;
  const r = x.graph.apply(op, [x], { axes: ax });
  return keepdims
    ? reshape(
        r,
        x.shape.map((d, i) => (ax.includes(i) ? 1 : d)),
      )
    : r;
}

export const sum = (x: Node, axes?: number | readonly number[], keepdims = false): Node =>
  reduce('sum', x, axes, keepdims);
export const max = (x: Node, axes?: number | readonly number[], keepdims = false): Node =>
  reduce('max', x, axes, keepdims);

/** Running sum along `axis`, as torch.cumsum (`reverse`: from the end, which is its adjoint). */
export function cumsum(x: Node, axis = -1, reverse = false): Node {
  const ax = axis < 0 ? axis + x.rank : axis;
  return x.graph.apply('cumsum', [x], { axis: ax, reverse });
}

/** Python-style slice per axis: [start, stop, step?]; missing axes are kept whole. */
export function slice(x: Node, ranges: readonly (readonly number[])[]): Node {
  const starts: number[] = [];
  const stops: number[] = [];
  const steps: number[] = [];
  x.shape.forEach((d, i) => {
    const r = ranges[i] ?? [0, d];
    const fix = (v: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
    starts.push(fix(r[0] ?? 0));
    stops.push(fix(r[1] ?? d));
    steps.push(r[2] ?? 1);
  });
  const whole = starts.every((s, i) => s === 0 && stops[i] === x.shape[i] && steps[i] === 1);
  return whole ? x : x.graph.apply('slice', [x], { starts, stops, steps });
}

/** Pad with `value`: per axis [lo, hi] and optionally interior (gaps between elements). */
export function pad(
  x: Node,
  widths: readonly (readonly [number, number])[],
  value = 0,
  interior?: readonly number[],
): Node {
  const lo = x.shape.map((_, i) => widths[i]?.[0] ?? 0);
  const hi = x.shape.map((_, i) => widths[i]?.[1] ?? 0);
  const inner = x.shape.map((_, i) => interior?.[i] ?? 0);
  if ([...lo, ...hi, ...inner].every((v) => v === 0)) return x;
  return x.graph.apply('pad', [x], { lo, hi, interior: inner, value });
}

export function concat(xs: readonly Node[], axis = 0): Node {
  if (xs.length === 1) return xs[0]!;
  const g = graphOf(...xs);
  const ax = axis < 0 ? axis + (xs[0]?.rank ?? 0) : axis;
  return g.apply('concat', xs, { axis: ax });
}

/**
 * Batched matmul [..., M, K] · [..., K, N]; a 2-D right operand is shared. Vectors as in numpy:
 * vector·vector is the dot product, vector·matrix and matrix·vector drop the promoted axis.
 */
export function matmul(a: Node, b: Node): Node {
  if (a.rank === 1 && b.rank === 1) {
    // The dot product, as numpy and PyTorch: [k]·[k] → a scalar.
    if (a.shape[0] !== b.shape[0]) {
      throw opError('shape', 'matmul', 'vector lengths differ', [a.shape, b.shape], captureSite());
    }
    return reshape(matmul(reshape(a, [1, a.shape[0]!]), reshape(b, [b.shape[0]!, 1])), []);
  }
  if (a.rank === 1) return reshape(matmul(reshape(a, [1, a.shape[0]!]), b), dropAxis(b, -2));
  if (b.rank === 1) return reshape(matmul(a, reshape(b, [b.shape[0]!, 1])), a.shape.slice(0, -1));
  if (a.rank > 2 && b.rank === 2) {
    // Fold the batch into rows so the weight gradient stays one 2-D matmul.
    const rows = reshape(a, [-1, a.shape[a.rank - 1]!]);
    return reshape(matmul(rows, b), [...a.shape.slice(0, -1), b.shape[1]!]);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  if (!batch) {
    throw opError(
      'shape',
      'matmul',
      'batch dimensions do not broadcast',
      [a.shape, b.shape],
      captureSite(),
    );
  }
  const x = broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  const y = broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  return a.graph.apply('matmul', [x, y]);
}

function dropAxis(x: Node, axis: number): number[] {
  const ax = axis < 0 ? axis + x.rank : axis;
  return x.shape.filter((_, i) => i !== ax);
}

/** numpy `take`: pick entries of `x` along `axis` by integer indices. */
export function gather(x: Node, indices: Node, axis = 0): Node {
  return x.graph.apply('gather', [x, indices], { axis: axis < 0 ? axis + x.rank : axis });
}

/** The adjoint of gather: add `updates` into a zero tensor whose `axis` has length `size`. */
export function scatterAdd(updates: Node, indices: Node, axis: number, size: number): Node {
  return updates.graph.apply('scatter_add', [updates, indices], { axis, size });
}

export function iota(g: Graph, shape: Shape, axis = 0, dtype: DType = 'i32'): Node {
  return g.apply('iota', [], { shape: [...shape], axis, dtype });
}

/** Counter-based random numbers: the same (seed, counter, element) always gives the same value. */
export function random(
  g: Graph,
  shape: Shape,
  opts: { dist?: RandDist; seed?: number; counter?: Node } = {},
): Node {
  const attrs = { shape: [...shape], dist: opts.dist ?? 'uniform', seed: (opts.seed ?? 0) >>> 0 };
  return g.apply('random', opts.counter ? [opts.counter] : [], attrs);
}
