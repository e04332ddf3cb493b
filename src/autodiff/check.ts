// Gradient checking: symbolic gradients (grad, evaluated by the float64 interpreter) against
// central finite differences of the loss, per target, with a readable report table.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { mulberry32 } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape } from '../ir/shape.ts';
import type { Shape } from '../ir/shape.ts';
import { topo } from '../ir/traverse.ts';
import { checkFeeds, initParams } from '../interp/interpret.ts';
import type { Values } from '../interp/interpret.ts';
import { evalNode, isOp } from '../ops/dispatch.ts';
import { grad } from './grad.ts';

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6: float64 central differences). */
  readonly eps?: number;
  /** An element passes when |symbolic − numeric| ≤ atol + rtol·max(|symbolic|, |numeric|). */
  readonly atol?: number;
  readonly rtol?: number;
  /** At most this many elements per target are checked, sampled without replacement. */
  readonly maxElements?: number;
  /** Seed of the element sampling. */
  readonly seed?: number;
  /**
   * Gradients computed elsewhere (e.g. by a compiled executable, in float32), one per `wrt`,
   * checked in place of the interpreter's symbolic ones; the interpreter's error is reported too.
   */
  readonly values?: readonly ArrayLike<number>[];
}

export interface GradCheckWorst {
  readonly index: number;
  readonly symbolic: number;
  readonly numeric: number;
}

export interface GradCheckTarget {
  readonly name: string;
  readonly shape: Shape;
  readonly checked: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** The element with the largest absolute error, or null when nothing was checked. */
  readonly worst: GradCheckWorst | null;
  /** Largest |interpreter's symbolic gradient − numeric|: is the rule or the backend off? */
  readonly symbolicAbsError: number;
  readonly pass: boolean;
}

export interface GradCheckReport {
  readonly loss: number;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  readonly targets: readonly GradCheckTarget[];
  readonly pass: boolean;
}

type Env = Map<Node, Float64Array>;
type Evaluator = (node: Node, ins: readonly Float64Array[]) => Float64Array;

function resolveTargets(g: Graph, wrt: readonly (Node | string)[]): Node[] {
  return wrt.map((w) => {
    if (typeof w !== 'string') return w;
    const node = g.params.get(w)?.node ?? g.inputs.get(w);
    if (!node) {
      const known = [...g.params.keys(), ...g.inputs.keys()].join(', ') || 'none';
      throw new GraphError('param', `gradCheck: no param or input named '${w}' (known: ${known})`);
    }
    return node;
  });
}

function leafEvaluator(inputs: Values, params: Values): Evaluator {
  return (node, ins) => {
    if (isOp(node, 'input')) return Float64Array.from(inputs[node.attrs.name]!);
    if (isOp(node, 'param')) return Float64Array.from(params[node.attrs.name]!);
    return evalNode(node, ins);
  };
}

/** Evaluate `order` (a topological order) into `env`, skipping nodes already present. */
function fill(order: readonly Node[], env: Env, evalNode: Evaluator): void {
  for (const n of order) {
    if (env.has(n)) continue;
    const ins = n.inputs.map((x) => env.get(x)!);
    env.set(n, evalNode(n, ins));
  }
}

/** Nodes of `order` that depend on `target` (excluding it): what a perturbation must redo. */
function downstream(order: readonly Node[], target: Node): Node[] {
  const hit = new Set<Node>([target]);
  const out: Node[] = [];
  for (const n of order) {
    if (n !== target && n.inputs.some((x) => hit.has(x))) {
      hit.add(n);
      out.push(n);
    }
  }
  return out;
}

/** Which flat indices to check: all of them, or a seeded sample of `max` without replacement. */
function sampleIndices(size: number, max: number, seed: number): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (size <= max) return all;
  const rand = mulberry32(seed);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (size - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

interface Ctx {
  readonly order: readonly Node[];
  readonly base: Env;
  readonly loss: Node;
  readonly evalNode: Evaluator;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
}

/** The loss with `target`'s element `i` moved by `delta`, recomputing only what depends on it. */
function perturbedLoss(ctx: Ctx, target: Node, redo: readonly Node[], i: number, delta: number) {
  const env: Env = new Map(ctx.base);
  const v = ctx.base.get(target)!.slice();
  v[i]! += delta;
  env.set(target, v);
  for (const n of redo) env.delete(n);
  fill(redo, env, ctx.evalNode);
  return env.get(ctx.loss)![0]!;
}

function checkTarget(
  ctx: Ctx,
  target: Node,
  checked: ArrayLike<number>,
  symbolic: Float64Array,
  idx: number[],
) {
  const redo = downstream(ctx.order, target);
  let symbolicAbs = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let worst: GradCheckTarget['worst'] = null;
  let pass = true;
  for (const i of idx) {
    const up = perturbedLoss(ctx, target, redo, i, ctx.eps);
    const down = perturbedLoss(ctx, target, redo, i, -ctx.eps);
    const numeric = (up - down) / (2 * ctx.eps);
    const s = checked[i]!;
    const sym = Math.abs(symbolic[i]! - numeric);
    symbolicAbs = Number.isNaN(sym) ? Infinity : Math.max(symbolicAbs, sym);
    const scale = Math.max(Math.abs(s), Math.abs(numeric));
    // NaN compares false everywhere, so count it as an infinite error.
    const abs = Number.isNaN(s - numeric) ? Infinity : Math.abs(s - numeric);
    const rel = abs === 0 ? 0 : abs / scale;
    if (!(abs <= ctx.atol + ctx.rtol * scale)) pass = false;
    if (worst === null || abs > maxAbs) worst = { index: i, symbolic: s, numeric };
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, rel);
  }
  return {
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    worst,
    symbolicAbsError: symbolicAbs,
    pass,
    checked: idx.length,
  };
}

/**
 * Compare grad(loss, wrt) with central differences (f(x+ε) − f(x−ε)) / 2ε, all in float64.
 * `wrt` holds nodes (leaves or inner nodes, each perturbed as a free variable) or leaf names.
 * Adds the gradient nodes to `g` (graphs only grow; interning reuses them on a second call).
 */
export function gradCheck(
  g: Graph,
  loss: Node,
  wrt: readonly (Node | string)[],
  inputs: Values,
  params: Values = initParams(g),
  opts: GradCheckOptions = {},
): GradCheckReport {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-5, maxElements = 64, seed = 0 } = opts;
  const targets = resolveTargets(g, wrt);
  if (loss.graph !== g) throw new GraphError('graph', `gradCheck: loss ${loss} is not in graph`);
  checkFeeds(g, inputs, params);
  const grads = grad(loss, targets);
  const evalNode = leafEvaluator(inputs, params);
  const base: Env = new Map();
  fill(topo([loss, ...grads, ...targets]), base, evalNode);
  const ctx: Ctx = { order: topo([loss]), base, loss, evalNode, eps, atol, rtol };
  const results = targets.map((t, k): GradCheckTarget => {
    const idx = sampleIndices(t.size, maxElements, (seed + k * 7919) >>> 0);
    const symbolic = base.get(grads[k]!)!;
    const given = opts.values?.[k];
    if (given && given.length !== t.size) {
      throw new GraphError(
        'grad',
        `gradCheck: values[${k}] has ${given.length} elements for ${fmtShape(t.shape)}`,
      );
    }
    const r = checkTarget(ctx, t, given ?? symbolic, symbolic, idx);
    return { name: t.label ?? `%${t.id} (${t.op})`, shape: t.shape, ...r };
  });
  const lossValue = base.get(loss)![0]!;
  return { loss: lossValue, eps, atol, rtol, targets: results, pass: results.every((r) => r.pass) };
}

const fmtNum = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/** The report as an aligned text table, one row per target. */
export function formatGradCheck(report: GradCheckReport): string {
  const head = [
    'target',
    'shape',
    'checked',
    'max abs err',
    'max rel err',
    'worst: symbolic vs fd',
  ];
  const rows = report.targets.map((t) => {
    const size = t.shape.reduce((p, d) => p * d, 1);
    const w = t.worst;
    const worst = w ? `[${w.index}] ${fmtNum(w.symbolic)} vs ${fmtNum(w.numeric)}` : '-';
    return [
      t.name,
      fmtShape(t.shape),
      `${t.checked}/${size}`,
      fmtNum(t.maxAbsError),
      fmtNum(t.maxRelError),
      `${worst}${t.pass ? '' : '  FAIL'}`,
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) => {
    const cells = r.map((s, c) => s.padEnd(widths[c]!));
    return cells.join('  ').trimEnd();
  };
  const verdict = report.pass ? 'PASS' : 'FAIL';
  const title =
    `gradient check ${verdict}: loss ${report.loss.toPrecision(6)}, eps ${report.eps}, ` +
    `atol ${report.atol}, rtol ${report.rtol}`;
  return [title, line(head), ...rows.map(line)].join('\n') + '\n';
}
