// Optimizers as graph transforms: minimize() differentiates the loss with grad and declares each
// trainable param's next value with g.update. Optimizer state (`${p}.m`, `${p}.v`, the step count
// `optimizer.t`) lives in non-trainable params, so checkpoints carry it and the step stays pure.
//
// The learning rate is the scalar input `lr`, computed on the host by the training loop from its
// schedule: any JS function of the step works, changing the schedule never rebuilds the graph, and
// no floor/cos/branch ops are needed in-graph. The step count for Adam's bias correction is a param
// (it is state that must survive checkpoints), not an input.
import * as B from '../builder/ops.ts';
import { grad } from '../autodiff/grad.ts';
import { GraphError } from '../ir/errors.ts';
import type { Graph, ParamSpec } from '../ir/graph.ts';
import { zeros } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';

export interface Optimizer {
  readonly name: string;
  /** Declare, with g.update, each param's value after one step from its gradient. */
  apply(g: Graph, params: readonly ParamSpec[], grads: readonly Node[], lr: Node): void;
}

/** Plain gradient descent: w ← w − α·∂L/∂w. */
export function sgd(): Optimizer {
  return {
    name: 'sgd',
    apply(g, params, grads, lr) {
      params.forEach((p, i) => g.update(p.name, B.sub(p.node, B.mul(lr, grads[i]!))));
    },
  };
}

/** A zero-initialized non-trainable state param named `${p}.${suffix}`. */
function state(g: Graph, p: ParamSpec, suffix: string): Node {
  return g.param(`${p.name}.${suffix}`, p.node.shape, zeros, false);
}

/** Heavy-ball momentum (PyTorch's form): m ← β·m + ∂L/∂w; w ← w − α·m. */
export function momentum(beta = 0.9): Optimizer {
  return {
    name: 'momentum',
    apply(g, params, grads, lr) {
      params.forEach((p, i) => {
        const m = state(g, p, 'm');
        const m1 = B.add(B.mul(m, beta), grads[i]!);
        g.update(m.label!, m1);
        g.update(p.name, B.sub(p.node, B.mul(lr, m1)));
      });
    },
  };
}

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** The step count t (a scalar param) and its next value t + 1, declared as an update. */
function stepCount(g: Graph): Node {
  const t = g.param('optimizer.t', [], zeros, false);
  const t1 = B.add(t, 1);
  g.update('optimizer.t', t1);
  return t1;
}

/**
 * The bias correction cₜ = 1 − βᵗ as state updated by cₜ = β·cₜ₋₁ + (1 − β), c₀ = 0. Computing
 * 1 − pow(β, t) in f32 cancels catastrophically (WGSL was 1e-4 off at t = 1); this recursion
 * only adds small positive terms, so every target gets cₜ to float32 accuracy.
 */
function biasCorrection(g: Graph, name: string, beta: number): Node {
  const c = g.param(`optimizer.${name}`, [], zeros, false);
  const c1 = B.add(B.mul(c, beta), 1 - beta).named(`adam.${name}`);
  g.update(`optimizer.${name}`, c1);
  return c1;
}

/** Which params weight decay applies to: PyTorch's usual groups, by default matrices only. */
export type DecaySelector = (p: ParamSpec) => boolean;

/**
 * The default decay group: weight matrices and kernels (rank ≥ 2) but not embedding tables
 * (`*.E`); biases, norm gains and shifts (rank 1) are never decayed.
 */
export const decayWeightsOnly: DecaySelector = (p) => p.node.rank >= 2 && !p.name.endsWith('.E');

/**
 * Adam, with AdamW's decoupled weight decay when `decay` > 0:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; m̂ = m/(1−β1^t); v̂ = v/(1−β2^t);
 * w ← w − α·(m̂/(√v̂ + ε) + decay·w), the decay term only for params `decays` selects.
 */
function adamCore(
  name: string,
  opts: AdamOptions,
  decay: number,
  decays: DecaySelector,
): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = opts;
  return {
    name,
    apply(g, params, grads, lr) {
      stepCount(g);
      const c1 = biasCorrection(g, 'bias1', beta1);
      const c2 = biasCorrection(g, 'bias2', beta2);
      params.forEach((p, i) => {
        const gr = grads[i]!;
        const [m, v] = [state(g, p, 'm'), state(g, p, 'v')];
        const m1 = B.add(B.mul(m, beta1), B.mul(gr, 1 - beta1));
        const v1 = B.add(B.mul(v, beta2), B.mul(B.mul(gr, gr), 1 - beta2));
        g.update(m.label!, m1);
        g.update(v.label!, v1);
        let dir = B.div(B.div(m1, c1), B.add(B.sqrt(B.div(v1, c2)), eps));
        if (decay > 0 && decays(p)) dir = B.add(dir, B.mul(p.node, decay));
        g.update(p.name, B.sub(p.node, B.mul(lr, dir)));
      });
    },
  };
}

export const adam = (opts: AdamOptions = {}): Optimizer => adamCore('adam', opts, 0, () => false);

export interface AdamWOptions extends AdamOptions {
  readonly weightDecay?: number;
  /** The decay group (the rest is the no-decay group): `decayWeightsOnly` by default. */
  readonly decay?: DecaySelector;
}

/** AdamW: Adam plus decoupled weight decay w ← w − α·λ·w (not folded into the gradient). */
export const adamw = (opts: AdamWOptions = {}): Optimizer =>
  adamCore('adamw', opts, opts.weightDecay ?? 0.01, opts.decay ?? decayWeightsOnly);

/**
 * √s with a finite derivative at s = 0 (where √'s is ∞, and ∞·0 would make every gradient through
 * a norm NaN): the double-where trick, so the value is exact and the derivative at 0 is 0.
 */
export function safeSqrt(s: Node): Node {
  const pos = B.gt(s, 0);
  return B.where(pos, B.sqrt(B.where(pos, s, 1)), 0);
}

/** Scale every gradient by min(1, maxNorm/‖g‖), ‖g‖ the norm of all gradients together. */
export function clipByGlobalNorm(
  grads: readonly Node[],
  maxNorm: number,
): { clipped: Node[]; norm: Node } {
  if (grads.length === 0) throw new GraphError('grad', 'clipByGlobalNorm: no gradients');
  const sq = grads.map((gr) => B.sum(B.mul(gr, gr))).reduce((a, b) => B.add(a, b));
  const norm = safeSqrt(sq).named('grad_norm');
  const scale = B.minimum(B.div(maxNorm, B.maximum(norm, 1e-12)), 1).named('clip_scale');
  return { clipped: grads.map((gr) => B.mul(gr, scale)), norm };
}

/** The graph's f32 scalar `lr` input (created on first use): the training loop feeds it. */
export function lrInput(g: Graph): Node {
  return g.inputs.get('lr') ?? g.input('lr', []);
}

export interface MinimizeOptions {
  readonly optimizer: Optimizer;
  /** Names of the params to train; every trainable param by default. */
  readonly params?: readonly string[];
  /** Clip the gradients to this global norm before the update. */
  readonly clipNorm?: number;
  /**
   * Gradient accumulation over this many micro-batches: gradients add up in `${p}.acc` state,
   * and params and optimizer state change only on steps fed `accum.apply` = 1, with the mean.
   */
  readonly accumulate?: number;
}

export interface Minimized {
  readonly grads: readonly Node[];
  readonly lr: Node;
  /** The global gradient norm before clipping (when clipping). */
  readonly gradNorm?: Node;
}

/** Differentiate `loss` w.r.t. the params and add the optimizer's updates to the graph. */
export function minimize(g: Graph, loss: Node, opts: MinimizeOptions): Minimized {
  const specs = trainedParams(g, opts.params);
  let grads = grad(
    loss,
    specs.map((p) => p.node),
  );
  const k = opts.accumulate ?? 1;
  const apply = k > 1 ? g.input('accum.apply', []) : null;
  if (apply) grads = accumulate(g, specs, grads, apply, k);
  const before = new Set(g.updates.keys());
  let gradNorm: Node | undefined;
  if (opts.clipNorm !== undefined) {
    const c = clipByGlobalNorm(grads, opts.clipNorm);
    grads = c.clipped;
    gradNorm = c.norm;
  }
  const lr = lrInput(g);
  opts.optimizer.apply(g, specs, grads, lr);
  if (apply) gateUpdates(g, before, B.gt(apply, 0.5));
  return gradNorm ? { grads, lr, gradNorm } : { grads, lr };
}

/** acc ← (acc + ∂L/∂w)·(1 − apply); the optimizer sees the mean (acc + ∂L/∂w)/k. */
function accumulate(
  g: Graph,
  specs: readonly ParamSpec[],
  grads: readonly Node[],
  apply: Node,
  k: number,
): Node[] {
  return specs.map((p, i) => {
    const acc = state(g, p, 'acc');
    const total = B.add(acc, grads[i]!);
    g.update(acc.label!, B.mul(total, B.sub(1, apply)));
    return B.div(total, k);
  });
}

/** Every update declared since `before` keeps its param's old value unless `on`: bit-identical. */
function gateUpdates(g: Graph, before: ReadonlySet<string>, on: Node): void {
  for (const [name, next] of [...g.updates]) {
    if (before.has(name)) continue;
    g.updates.set(name, B.where(on, next, g.params.get(name)!.node));
  }
}

function trainedParams(g: Graph, names: readonly string[] | undefined): ParamSpec[] {
  if (!names) {
    const all = [...g.params.values()].filter((p) => p.trainable);
    if (all.length === 0)
      throw new GraphError('param', 'minimize: the graph has no trainable params');
    return all;
  }
  return names.map((n) => {
    const p = g.params.get(n);
    if (!p) throw new GraphError('param', `minimize: no param named '${n}'`, captureSite());
    return p;
  });
}
