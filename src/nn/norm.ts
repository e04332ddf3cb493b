// Normalization and regularization layers: layer norm, batch norm (train/eval, running stats as
// non-trainable params updated by g.update), and inverted dropout driven by a step counter.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { GraphError, opError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { constant, hashString, zeros } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape } from '../ir/shape.ts';
import { captureSite } from '../ir/site.ts';
import type { Mode } from './layers.ts';
import { layerName } from './layers.ts';

export interface LayerNormOptions {
  readonly name?: string;
  readonly eps?: number;
  /** false freezes gamma and beta. */
  readonly trainable?: boolean;
}

/** (x − μ)/σ over the last axis, then a learned scale `${name}.gamma` and shift `${name}.beta`. */
export function layerNorm(x: Node, opts: LayerNormOptions = {}): Node {
  const g = x.graph;
  const name = layerName(g, 'layernorm', opts.name);
  const d = x.shape[x.rank - 1]!;
  return g.scope(name, () => {
    const train = opts.trainable ?? true;
    const gamma = g.param(`${name}.gamma`, [d], constant(1), train);
    const beta = g.param(`${name}.beta`, [d], zeros, train);
    return C.layerNorm(x, gamma, beta, opts.eps ?? 1e-5).named(`${name}.out`);
  });
}

export interface BatchNormOptions {
  readonly name?: string;
  readonly eps?: number;
  /** Weight of the new batch in the running averages (PyTorch's convention): 0.1 by default. */
  readonly momentum?: number;
}

/**
 * Batch norm over every axis but axis 1 (features of [N, F], channels of [N, C, H, W]).
 * Train mode normalizes with the batch's mean and variance and declares the running averages'
 * next values with g.update (running var uses the unbiased batch variance, as PyTorch does);
 * eval mode normalizes with the running averages. Both modes use the same param names.
 */
export function batchNorm(x: Node, mode: Mode, opts: BatchNormOptions = {}): Node {
  const g = x.graph;
  const name = layerName(g, 'batchnorm', opts.name);
  if (x.rank < 2) {
    throw opError('shape', `batchNorm '${name}'`, 'needs x [N, C, ...]', [x.shape], captureSite());
  }
  const eps = opts.eps ?? 1e-5;
  const c = x.shape[1]!;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  // [C] params broadcast against x as [C, 1, ..., 1] (trailing axes after the channel axis).
  const bshape = [c, ...x.shape.slice(2).map(() => 1)];
  return g.scope(name, () => {
    const gamma = B.reshape(g.param(`${name}.gamma`, [c], constant(1)), bshape);
    const beta = B.reshape(g.param(`${name}.beta`, [c], zeros), bshape);
    const runMean = g.param(`${name}.runningMean`, [c], zeros, false);
    const runVar = g.param(`${name}.runningVar`, [c], constant(1), false);
    let mu: Node;
    let v: Node;
    if (mode === 'train') {
      mu = C.mean(x, axes, true);
      v = C.variance(x, axes, true);
      trackRunning(g, name, runMean, runVar, mu, v, x.size / c, opts.momentum ?? 0.1);
    } else {
      mu = B.reshape(runMean, bshape);
      v = B.reshape(runVar, bshape);
    }
    const xhat = B.div(B.sub(x, mu), B.sqrt(B.add(v, eps))).named(`${name}.xhat`);
    return B.add(B.mul(xhat, gamma), beta).named(`${name}.out`);
  });
}

function trackRunning(
  g: Graph,
  name: string,
  runMean: Node,
  runVar: Node,
  mu: Node,
  v: Node,
  n: number,
  m: number,
): void {
  const c = runMean.shape;
  const batchMean = B.stopGradient(B.reshape(mu, c));
  const batchVar = B.stopGradient(B.mul(B.reshape(v, c), n / Math.max(1, n - 1)));
  g.update(`${name}.runningMean`, B.add(B.mul(runMean, 1 - m), B.mul(batchMean, m)));
  g.update(`${name}.runningVar`, B.add(B.mul(runVar, 1 - m), B.mul(batchVar, m)));
}

/** The graph's i32 scalar `step` input (created on first use): the training loop feeds it. */
export function stepCounter(g: Graph): Node {
  const found = g.inputs.get('step');
  if (!found) return g.input('step', [], 'i32');
  if (found.dtype !== 'i32' || found.rank !== 0) {
    throw new GraphError(
      'input',
      `input 'step' must be an i32 scalar to drive random draws, got ${found.dtype}${fmtShape(found.shape)}`,
      captureSite(),
    );
  }
  return found;
}

export interface DropoutOptions {
  /** Seed of the mask stream; by default derived from the layer's position in the graph. */
  readonly seed?: number;
  /** i32 scalar counter making each step draw a fresh mask; the graph's `step` input by default. */
  readonly counter?: Node;
}

/**
 * Inverted dropout: in train mode each element is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so eval mode is the identity. The mask is random(seed, counter): reproducible for
 * a given seed and step, different from one step to the next.
 */
export function dropout(x: Node, rate: number, mode: Mode, opts: DropoutOptions = {}): Node {
  if (!(rate >= 0 && rate < 1)) {
    throw new GraphError('attr', `dropout: rate must be in [0, 1), got ${rate}`, captureSite());
  }
  if (mode === 'eval' || rate === 0) return x;
  const g = x.graph;
  const counter = opts.counter ?? stepCounter(g);
  const seed = opts.seed ?? hashString(`dropout@${x.id}`);
  const keep = B.ge(B.random(g, x.shape, { seed, counter }), rate).named('dropout.keep');
  return B.where(keep, B.mul(x, 1 / (1 - rate)), 0);
}
