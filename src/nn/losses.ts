// Losses (scalar, averaged over the batch) and weight penalties. Every loss checks that the
// prediction and target shapes agree and names both when they do not.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { GraphError, opError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import { captureSite } from '../ir/site.ts';
import { declareIndexBound } from '../runtime/index-bounds.ts';

function checkSame(loss: string, pred: Node, target: Node): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw opError(
      'shape',
      loss,
      `prediction ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} differ`,
      [pred.shape, target.shape],
      captureSite(),
    );
  }
  if (target.dtype !== 'f32') {
    throw new GraphError(
      'dtype',
      `${loss}: target must be f32, got ${target.dtype}`,
      captureSite(),
    );
  }
}

/** Mean over the batch (axis 0) of a per-sample value. */
function batchMean(perSample: Node): Node {
  return perSample.rank === 0 ? perSample : C.mean(perSample, 0);
}

/** Sum over every axis but the batch axis. */
function perSampleSum(x: Node): Node {
  return x.rank <= 1
    ? x
    : B.sum(
        x,
        x.shape.slice(1).map((_, i) => i + 1),
      );
}

/** The seed tutorial's quadratic cost: ½‖a − y‖² per sample, averaged over the batch. */
export function quadraticCost(a: Node, y: Node): Node {
  checkSame('quadraticCost', a, y);
  const d = B.sub(a, y);
  return batchMean(B.mul(perSampleSum(B.mul(d, d)), 0.5)).named('loss');
}

/** Mean squared error over every element. */
export function mse(pred: Node, target: Node): Node {
  checkSame('mse', pred, target);
  const d = B.sub(pred, target);
  return C.mean(B.mul(d, d)).named('loss');
}

/** Binary cross-entropy on probabilities p ∈ (0, 1), clamped to [eps, 1 − eps] before the logs. */
export function binaryCrossEntropy(p: Node, y: Node, eps = 1e-7): Node {
  checkSame('binaryCrossEntropy', p, y);
  const q = B.minimum(B.maximum(p, eps), 1 - eps);
  const ll = B.add(B.mul(y, B.log(q)), B.mul(B.sub(1, y), B.log(B.sub(1, q))));
  return B.neg(C.mean(ll)).named('loss');
}

/** Binary cross-entropy on logits, stable for any x: max(x, 0) − x·y + log(1 + exp(−|x|)). */
export function binaryCrossEntropyWithLogits(x: Node, y: Node): Node {
  checkSame('binaryCrossEntropyWithLogits', x, y);
  const softplus = B.log(B.add(B.exp(B.neg(B.abs(x))), 1));
  return C.mean(B.add(B.sub(B.maximum(x, 0), B.mul(x, y)), softplus)).named('loss');
}

/** Softmax cross-entropy from logits [N, C] and one-hot (or soft) targets [N, C]. */
export function crossEntropy(logits: Node, targets: Node): Node {
  checkSame('crossEntropy', logits, targets);
  return batchMean(C.softmaxCrossEntropy(logits, targets)).named('loss');
}

/**
 * Softmax cross-entropy from logits [..., C] and i32 class labels [...], averaged over every
 * position (a language model's [B, T, V] logits and [B, T] labels give one scalar). Labels are
 * range-checked where they are fed.
 */
export function sparseCrossEntropy(logits: Node, labels: Node): Node {
  const rows = logits.shape.slice(0, -1);
  if (labels.dtype !== 'i32' || !sameShape(labels.shape, rows)) {
    throw opError(
      labels.dtype !== 'i32' ? 'dtype' : 'shape',
      'sparseCrossEntropy',
      `expects i32 labels ${fmtShape(rows)} for logits ${fmtShape(logits.shape)}, got ${labels.dtype}${fmtShape(labels.shape)}`,
      [logits.shape, labels.shape],
      captureSite(),
    );
  }
  const classes = logits.shape[logits.rank - 1]!;
  declareIndexBound(
    labels,
    classes,
    `sparseCrossEntropy labels of logits ${fmtShape(logits.shape)}`,
  );
  return C.mean(C.softmaxCrossEntropy(logits, C.oneHot(labels, classes))).named('loss');
}

/** Negative log-likelihood from log-probabilities [N, C] and i32 labels [N] (torch's nll_loss). */
export function nllLoss(logProbs: Node, labels: Node): Node {
  if (
    labels.dtype !== 'i32' ||
    logProbs.rank !== 2 ||
    labels.shape.join() !== `${logProbs.shape[0]}`
  ) {
    throw opError(
      'shape',
      'nllLoss',
      'expects log-probabilities [N, C] and i32 labels [N]',
      [logProbs.shape, labels.shape],
      captureSite(),
    );
  }
  return B.neg(C.mean(C.takeAlongLastAxis(logProbs, labels))).named('loss');
}

/**
 * KL divergence from log q (the input, as torch's kl_div) to target probabilities p:
 * Σ p·(log p − log q) per sample, averaged over the batch ('batchmean'); 0·log 0 counts as 0.
 */
export function klDiv(logQ: Node, p: Node): Node {
  checkSame('klDiv', logQ, p);
  const pos = B.gt(p, 0);
  const logP = B.log(B.where(pos, p, 1));
  return batchMean(perSampleSum(B.where(pos, B.mul(p, B.sub(logP, logQ)), 0))).named('loss');
}

/** Huber loss (torch's huber_loss, mean): ½d² where |d| < δ, δ(|d| − ½δ) beyond. */
export function huberLoss(pred: Node, target: Node, delta = 1): Node {
  checkSame('huberLoss', pred, target);
  const d = B.sub(pred, target);
  const a = B.abs(d);
  const quad = B.mul(B.mul(d, d), 0.5);
  const lin = B.mul(B.sub(a, 0.5 * delta), delta);
  return C.mean(B.where(B.lt(a, delta), quad, lin)).named('loss');
}

/** λ·Σ|w| over the given weights. */
export function l1Penalty(weights: readonly Node[], lambda: number): Node {
  return B.mul(sumOver(weights, B.abs), lambda).named('l1_penalty');
}

/** ½λ·Σw² over the given weights (the ½ makes its gradient λw, i.e. weight decay). */
export function l2Penalty(weights: readonly Node[], lambda: number): Node {
  return B.mul(
    sumOver(weights, (w) => B.mul(w, w)),
    lambda / 2,
  ).named('l2_penalty');
}

function sumOver(weights: readonly Node[], f: (w: Node) => Node): Node {
  if (weights.length === 0) throw new GraphError('graph', 'penalty: no weights given');
  return weights.map((w) => B.sum(f(w))).reduce((a, b) => B.add(a, b));
}
