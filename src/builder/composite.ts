// Composites built from primitives: statistics, softmax family, normalization, gelu, one-hot,
// cross-entropy. Where a hand-derived gradient is better, the result is wrapped in custom_vjp.
import type { Node } from '../ir/node.ts';
import { GraphError, opError } from '../ir/errors.ts';
import { captureSite } from '../ir/site.ts';
import * as B from './ops.ts';

type Axes = number | readonly number[] | undefined;

function axisList(x: Node, axes: Axes): number[] {
  const list =
    axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  return list.map((a) => (a < 0 ? a + x.rank : a)).sort((p, q) => p - q);
}

function countOf(x: Node, axes: Axes): number {
  return axisList(x, axes).reduce((n, a) => n * x.shape[a]!, 1);
}

export function mean(x: Node, axes?: Axes, keepdims = false): Node {
  return B.div(B.sum(x, axes, keepdims), countOf(x, axes));
}

/** Population variance (divides by n), as in batch/layer norm. */
export function variance(x: Node, axes?: Axes, keepdims = false): Node {
  const d = B.sub(x, mean(x, axes, true));
  return mean(B.mul(d, d), axes, keepdims);
}

const F32_MAX = 3.4028234663852886e38; // the largest finite float32

// logsumexp's and softmax's shared (one node) gradient-free shift: the max of x clamped to finite
// values, so lse of a −∞ row is −∞ and of a +∞ is ∞ (as torch and JAX), not NaN.
function shiftOf(x: Node, ax: readonly number[]): Node {
  return B.stopGradient(B.max(B.minimum(B.maximum(x, -F32_MAX), F32_MAX), ax, true));
}

/** Stable log Σ exp: shifted by the (gradient-free) max, with the softmax as its custom VJP. */
export function logsumexp(x: Node, axes?: Axes, keepdims = false): Node {
  const ax = axisList(x, axes);
  const m = shiftOf(x, ax);
  const lse = B.add(B.log(B.sum(B.exp(B.sub(x, m)), ax)), B.reshape(m, lse0Shape(x, ax)));
  const out = x.graph.apply('custom_vjp', [lse, x], { rule: 'logsumexp', args: ax });
  return keepdims
    ? B.reshape(
        out,
        x.shape.map((d, i) => (ax.includes(i) ? 1 : d)),
      )
    : out;
}

function lse0Shape(x: Node, ax: readonly number[]): number[] {
  return x.shape.filter((_, i) => !ax.includes(i));
}

export function logSoftmax(x: Node, axis = -1): Node {
  return B.sub(x, logsumexp(x, axis, true));
}

/**
 * exp((x − m) − log Σ exp(x − m)) with m the max: as accurate in float32 as exp(x − m)/Σ, where
 * exp(x − logsumexp) is not (near p ≈ 1 at large logits, lse = m + log Σ rounds to m's ulp). The
 * max carries no gradient (softmax is shift-invariant); Σ is the forward logsumexp's own sum.
 */
export function softmax(x: Node, axis = -1): Node {
  const ax = axis < 0 ? axis + x.rank : axis;
  const shifted = B.sub(x, shiftOf(x, [ax]));
  const logSum = B.log(B.sum(B.exp(shifted), ax));
  const kept = x.shape.map((d, i) => (i === ax ? 1 : d));
  return B.exp(B.sub(shifted, B.broadcastTo(B.reshape(logSum, kept), x.shape)));
}

export const softmaxLastAxis = (x: Node): Node => softmax(x, -1);
export const logSoftmaxLastAxis = (x: Node): Node => logSoftmax(x, -1);

/** 1/σ over the last axis, σ = √(var + eps); shared by layer norm's forward and its VJP. */
export function rstdLastAxis(x: Node, eps: number): Node {
  return B.reciprocal(B.sqrt(B.add(variance(x, -1, true), eps)));
}

/** (x − μ)/σ over the last axis, with the compact hand-derived VJP. */
export function normalize(x: Node, eps = 1e-5): Node {
  const xhat = B.mul(B.sub(x, mean(x, -1, true)), rstdLastAxis(x, eps));
  return x.graph.apply('custom_vjp', [xhat, x], { rule: 'normalize', args: [eps] });
}

export function layerNorm(x: Node, gamma?: Node, beta?: Node, eps = 1e-5): Node {
  let y = normalize(x, eps);
  if (gamma) y = B.mul(y, gamma);
  if (beta) y = B.add(y, beta);
  return y;
}

/**
 * Group norm (torch.nn.functional.group_norm): x [N, C, ...] normalized over each group of
 * C/groups channels and all positions, then scaled and shifted per channel by gamma, beta [C].
 */
export function groupNorm(x: Node, groups: number, gamma?: Node, beta?: Node, eps = 1e-5): Node {
  const c = x.shape[1] ?? 0;
  if (x.rank < 2 || !(Number.isInteger(groups) && groups >= 1) || c % groups !== 0) {
    const detail = `expects x [N,C,...] with C divisible by groups ${groups}`;
    throw opError('shape', 'groupNorm', detail, [x.shape], captureSite());
  }
  const grouped = B.reshape(x, [x.shape[0]!, groups, -1]);
  let y = B.reshape(normalize(grouped, eps), x.shape);
  const perChannel = (v: Node) => B.reshape(v, [c, ...x.shape.slice(2).map(() => 1)]);
  if (gamma) y = B.mul(y, perChannel(gamma));
  if (beta) y = B.add(y, perChannel(beta));
  return y;
}

/** GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: Node): Node {
  const inner = B.mul(B.add(x, B.mul(B.mul(B.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return B.mul(B.mul(x, 0.5), B.add(B.tanh(inner), 1));
}

export function leakyRelu(x: Node, slope = 0.01): Node {
  return B.where(B.gt(x, 0), x, B.mul(x, slope));
}

/** one_hot(i, depth): f32 [..., depth], 1 where the last-axis position equals the index. */
export function oneHot(indices: Node, depth: number): Node {
  if (indices.dtype !== 'i32') {
    throw new GraphError(
      'dtype',
      `one_hot: indices must be i32, got ${indices.dtype}`,
      captureSite(),
    );
  }
  const shape = [...indices.shape, depth];
  const pos = B.iota(indices.graph, shape, shape.length - 1, 'i32');
  const idx = B.broadcastTo(B.reshape(indices, [...indices.shape, 1]), shape);
  return B.cast(B.eq(idx, pos), 'f32');
}

/** Per-row entry of x [..., C] at integer labels [...]: a gather on the flattened array. */
export function takeAlongLastAxis(x: Node, labels: Node): Node {
  const c = x.shape[x.rank - 1]!;
  const rows = labels.size;
  const flat = B.reshape(x, [rows * c]);
  const base = B.mul(B.iota(x.graph, [rows], 0, 'i32'), c);
  const at = B.add(base, B.reshape(labels, [rows]));
  return B.reshape(B.gather(flat, at, 0), labels.shape);
}

/** Per-row softmax cross-entropy from logits and one-hot (or soft) targets, stable. */
export function softmaxCrossEntropy(logits: Node, targets: Node): Node {
  const lse = logsumexp(logits, -1);
  const picked = B.sum(B.mul(targets, logits), -1);
  const loss = B.sub(lse, picked);
  return logits.graph.apply('custom_vjp', [loss, logits, targets], {
    rule: 'softmax_ce',
    args: [],
  });
}
