// The backward pass as equations: forward equations for the user's named nodes, then one δ per
// layer (the cotangents gradc derived, written as a recursion over each other), the parameter
// gradients, and the update rule — each tied to the user's source line and a kernel name.
import { cotangents, seedOf } from '../autodiff/grad.ts';
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { fmtSite } from '../ir/site.ts';
import { topo } from '../ir/traverse.ts';
import type { Math } from './math.ts';
import { sym } from './math.ts';
import type { Where } from './pattern.ts';
import { strip, toMath } from './pattern.ts';

export interface Equation {
  readonly lhs: Math;
  /** '=' for values, '←' for an update. */
  readonly rel: '=' | '←';
  readonly rhs: Math;
  /** The user's file:line. */
  readonly site: string;
  /** Kernel-name prefixes that may compute it, best first (see kernelFor). */
  readonly kernelKeys: readonly string[];
  /** Definitions the right-hand side uses, e.g. ŷ = softmax(dense2.z). */
  readonly where: readonly Where[];
}

export interface Section {
  readonly title: string;
  readonly equations: readonly Equation[];
}

export interface Explanation {
  readonly graph: string;
  readonly sections: readonly Section[];
}

/** Activations folded into their layer's δ: δ is ∂L/∂z, not ∂L/∂a (the textbook's choice). */
const ACTIVATIONS: ReadonlySet<string> = new Set(['sigmoid', 'relu', 'tanh', 'exp']);

/** The identifier a renderer makes of a buffer name (kernel names start with it). */
export const ident = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

function isLeaf(n: Node): boolean {
  return n.op === 'input' || n.op === 'param' || n.op === 'constant' || n.op === 'tensor';
}

/**
 * The names equations use: the user's labels, and layer norm's normalized value x̂ (a hand-ruled
 * node inside the layer), named `<layer>.x̂` after the layer's scope or its output's label.
 */
function namesOf(order: readonly Node[]): { names: Map<Node, string>; norms: Map<Node, string> } {
  const names = new Map<Node, string>();
  const norms = new Map<Node, string>();
  for (const n of order) {
    if (n.label) names.set(n, n.label);
    if (n.op === 'custom_vjp' && n.attrs['rule'] === 'normalize' && !n.label) {
      const prefix = n.meta.scope.split('/').pop() || `norm${norms.size + 1}`;
      names.set(n, `${prefix}.x̂`);
      norms.set(n.inputs[1]!, prefix);
    }
  }
  return { names, norms };
}

/** Kernel keys of a forward node: its own, then those of the named nodes it feeds. */
function forwardKeys(n: Node, consumers: ReadonlyMap<Node, Node[]>, name: string): string[] {
  const keys = [ident(name)];
  const stack = [...(consumers.get(n) ?? [])];
  const seen = new Set<Node>();
  while (stack.length && keys.length < 4) {
    const c = stack.shift()!;
    if (seen.has(c)) continue;
    seen.add(c);
    if (c.label) keys.push(ident(c.label));
    else stack.push(...(consumers.get(c) ?? []));
  }
  return keys;
}

/** A skip connection: a named r = p + f(p), p itself named (nn.residual's output, named). */
interface Skip {
  readonly r: Node;
  readonly p: Node;
  readonly text: string;
}

function residualSkips(named: readonly Node[], names: ReadonlyMap<Node, string>): Skip[] {
  const skips: Skip[] = [];
  for (const r of named) {
    if (r.op !== 'add') continue;
    const [a, b] = r.inputs.map(strip) as [Node, Node];
    for (const [p, f] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!names.has(p) || !dependsOn(f, p)) continue;
      const [rn, pn] = [names.get(r)!, names.get(p)!];
      const text = `the identity term of the skip ${rn} = ${pn} + f(${pn})`;
      skips.push({ r, p, text });
      break;
    }
  }
  return skips;
}

/** Whether `x` is computed from `p` (iterative walk over x's inputs). */
function dependsOn(x: Node, p: Node): boolean {
  const stack = [x];
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === p) return true;
    if (seen.has(n) || n.id < p.id) continue; // inputs are older than their users
    seen.add(n);
    stack.push(...n.inputs);
  }
  return false;
}

/** A δ that sums ∂L/∂r of a skip r = p + f(p) (reaching p or its pre-activation) says so. */
function withSkipNotes(
  e: Equation,
  skips: readonly Skip[],
  n: Node,
  ct: ReadonlyMap<Node, Node>,
): Equation {
  const notes: Where[] = [];
  const root = ct.get(n)!;
  for (const s of skips) {
    // The δ of p itself, or of p's pre-activation when p is an activation (δ is ∂L/∂z).
    if (s.p !== n && !(ACTIVATIONS.has(s.p.op) && s.p.inputs[0] === n)) continue;
    const g = ct.get(s.r);
    if (g && strip(root) !== strip(g) && dependsOn(root, g)) {
      notes.push({ name: { k: 'grad', name: s.r.label! }, def: sym(s.text), rel: ':' });
    }
  }
  return notes.length ? { ...e, where: [...e.where, ...notes] } : e;
}

/** Explain a graph with a scalar output `loss`: a training step or an inference graph. */
export function explain(g: Graph): Explanation {
  const loss = g.outputs.get('loss');
  if (!loss || loss.size !== 1) {
    throw new Error(`explain: graph '${g.name}' has no scalar output 'loss'`);
  }
  const params = [...g.params.values()].filter((p) => p.trainable);
  const order = topo([loss]);
  const consumers = new Map<Node, Node[]>();
  for (const n of order)
    for (const x of n.inputs) consumers.set(x, [...(consumers.get(x) ?? []), n]);
  const ct = cotangents(
    [loss],
    params.map((p) => p.node),
    [seedOf(loss)],
  );
  const { names, norms } = namesOf(order);
  const nameOf = (n: Node) => names.get(n)!;
  const named = order.filter((n) => names.has(n) && !isLeaf(n));
  const forwardStops = new Map<Node, Math>();
  for (const [n, name] of names) forwardStops.set(n, sym(name));
  // δ for every named node except the loss and activations (inlined into their layer's δ).
  const deltas = named.filter(
    (n) => n !== loss && ct.has(n) && !(ACTIVATIONS.has(n.op) && n.inputs[0]!.label),
  );
  const backStops = new Map(forwardStops);
  const stopAt = (n: Node, m: Math) => {
    backStops.set(n, m);
    if (!backStops.has(strip(n))) backStops.set(strip(n), m); // also reached through views
  };
  for (const n of deltas) stopAt(ct.get(n)!, { k: 'grad', name: nameOf(n) });
  for (const p of params) if (ct.has(p.node)) stopAt(ct.get(p.node)!, { k: 'grad', name: p.name });
  // Optimizer state (Adam's m, v, t) is updated first; the param's update reads the new values.
  const isTrainable = (name: string) => g.params.get(name)?.trainable === true;
  const stateFirst = [...g.updates].sort(
    ([a], [b]) => Number(isTrainable(a)) - Number(isTrainable(b)),
  );
  for (const [name, next] of stateFirst) if (!isTrainable(name)) stopAt(next, sym(name));

  const eq = (
    lhs: Math,
    rel: Equation['rel'],
    root: Node,
    stops: Map<Node, Math>,
    site: Node,
    keys: string[],
  ): Equation => {
    const { math, where } = toMath(root, stops, norms);
    return { lhs, rel, rhs: math, site: fmtSite(site.meta.site), kernelKeys: keys, where };
  };
  const forward = named.map((n) =>
    eq(sym(nameOf(n)), '=', n, forwardStops, n, forwardKeys(n, consumers, nameOf(n))),
  );
  const skips = residualSkips(named, names);
  const backward = [...deltas].reverse().map((n) => {
    const e = eq({ k: 'grad', name: nameOf(n) }, '=', ct.get(n)!, backStops, n, [
      `d_${ident(nameOf(n))}`,
    ]);
    return withSkipNotes(e, skips, n, ct);
  });
  const withGrad = params.filter((p) => ct.has(p.node));
  const keysOf = (name: string) => [`grad_${ident(name)}`, `${ident(name)}_next`];
  const gradients = withGrad.map((p) =>
    eq({ k: 'grad', name: p.name }, '=', ct.get(p.node)!, backStops, p.node, keysOf(p.name)),
  );
  const updates = stateFirst.map(([name, next]) =>
    eq(sym(name), '←', next, backStops, g.params.get(name)!.node, keysOf(name)),
  );
  return {
    graph: g.name,
    sections: [
      { title: 'Forward', equations: forward },
      { title: 'Backward: one δ = ∂L/∂z per layer', equations: backward },
      { title: 'Parameter gradients', equations: gradients },
      ...(updates.length ? [{ title: 'Update', equations: updates }] : []),
    ],
  };
}
