// Reverse-mode differentiation as a graph → graph transform: walk the graph backwards, call each
// op's VJP rule, sum cotangents at fan-out. The result is ordinary nodes, so grad of grad works.
import * as B from '../builder/ops.ts';
import { GraphError } from '../ir/errors.ts';
import { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { captureSite, withSite } from '../ir/site.ts';
import { topo } from '../ir/traverse.ts';
import { OPS } from '../ops/table.ts';

type AnyDef = {
  vjpDoc?: readonly string[] | ((attrs: unknown) => readonly string[]);
  vjp:
    | ((ct: Node, out: Node, ins: readonly Node[], attrs: unknown) => readonly (Node | null)[])
    | null;
};

const FAN_IN_STEP = '∂L/∂{out} = Σ over the uses of {out}';
const SEED_STEP = '∂L/∂{out} = 1 (the seed)';
const ZERO_STEP = '∂L/∂{out} = 0 (L does not depend on {out})';

function describe(n: Node): string {
  return `${n.label ?? n.op} ${n.dtype}[${n.shape.join(',')}]`;
}

function checkTargets(ys: readonly Node[], xs: readonly Node[]): void {
  const g = ys[0]!.graph;
  for (const x of xs) {
    if (x.graph !== g) {
      throw new GraphError(
        'grad',
        `grad: ${describe(x)} is not a node of the graph being differentiated`,
        x.meta.site,
      );
    }
    if (x.dtype !== 'f32') {
      throw new GraphError(
        'grad',
        `grad: cannot differentiate with respect to ${describe(x)}: ${x.dtype} values (indices, labels, comparison results) have no gradient`,
        x.meta.site,
      );
    }
  }
}

/** Nodes that depend on some x through float values: only these carry cotangents. */
function activeSet(order: readonly Node[], xs: readonly Node[]): Set<Node> {
  const active = new Set<Node>(xs);
  for (const n of order) {
    if (n.dtype === 'f32' && n.inputs.some((i) => active.has(i))) active.add(n);
  }
  return active;
}

type Rule = NonNullable<AnyDef['vjp']>;

/**
 * Call `n`'s VJP rule once, in a scratch graph on stand-ins for ct, n and n's inputs. Building the
 * rule's results directly in the real graph would create every input's cotangent under the first
 * input's provenance (interning keeps the first metadata); `replay` copies each one under its own.
 */
function ruleOnStandIns(rule: Rule, ct: Node, n: Node) {
  const scratch = new Graph(`vjp of ${n.op}`);
  const standIn = (x: Node, name: string) => scratch.input(name, x.shape, x.dtype);
  const ctS = standIn(ct, 'ct');
  const outS = standIn(n, 'out');
  const insS = n.inputs.map((x, i) => standIn(x, `in${i}`));
  const back = new Map<Node, Node>([
    [ctS, ct],
    [outS, n],
    ...insS.map((s, i): [Node, Node] => [s, n.inputs[i]!]),
  ]);
  return { results: rule(ctS, outS, insS, n.attrs), back };
}

/** Copy a scratch result into the real graph (`back` maps scratch nodes to real ones). */
function replay(g: Graph, root: Node, back: Map<Node, Node>): Node {
  for (const m of topo([root])) {
    if (!back.has(m))
      back.set(
        m,
        g.apply(
          m.op,
          m.inputs.map((x) => back.get(x)!),
          m.attrs,
        ),
      );
  }
  return back.get(root)!;
}

/** Vector-Jacobian product: cotangents of `xs` given cotangents `cts` of `ys`. */
export function vjp(ys: readonly Node[], xs: readonly Node[], cts: readonly Node[]): Node[] {
  // Every node grad builds cites the user's grad call: one stack capture, not one per node.
  return withSite(captureSite(), () => {
    const total = backprop(ys, xs, cts);
    const g = ys[0]!.graph;
    return xs.map(
      (x) =>
        total.get(x) ?? g.withProvenance({ forward: x, step: ZERO_STEP }, () => B.zerosLike(x)),
    );
  });
}

/**
 * The summed cotangent of every node between `ys` and `xs` (what vjp computes on the way):
 * `gradc explain` names these δ to write the backward pass as a recursion.
 */
export function cotangents(
  ys: readonly Node[],
  xs: readonly Node[],
  cts: readonly Node[],
): Map<Node, Node> {
  return withSite(captureSite(), () => backprop(ys, xs, cts));
}

function backprop(ys: readonly Node[], xs: readonly Node[], cts: readonly Node[]): Map<Node, Node> {
  if (ys.length === 0) throw new GraphError('grad', 'vjp: no outputs to differentiate');
  if (cts.length !== ys.length)
    throw new GraphError('grad', 'vjp: one cotangent per output is needed');
  checkTargets(ys, xs);
  ys.forEach((y, i) => {
    if (cts[i]!.shape.join() !== y.shape.join()) {
      throw new GraphError(
        'grad',
        `vjp: cotangent shape [${cts[i]!.shape}] does not match ${describe(y)}`,
        y.meta.site,
      );
    }
  });
  const g = ys[0]!.graph;
  const order = topo(ys);
  const active = activeSet(order, xs);
  const contribs = new Map<Node, Node[]>();
  const push = (n: Node, ct: Node) => {
    const list = contribs.get(n);
    if (list) list.push(ct);
    else contribs.set(n, [ct]);
  };
  ys.forEach((y, i) => push(y, cts[i]!));
  const total = new Map<Node, Node>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    const list = contribs.get(n);
    if (!list || !active.has(n)) continue;
    const ct =
      list.length === 1
        ? list[0]!
        : g.withProvenance({ forward: n, step: FAN_IN_STEP }, () =>
            list.reduce((a, b) => B.add(a, b)),
          );
    total.set(n, ct);
    const def = OPS[n.op] as unknown as AnyDef;
    if (!def.vjp) continue;
    const docs = typeof def.vjpDoc === 'function' ? def.vjpDoc(n.attrs) : (def.vjpDoc ?? []);
    const { results, back } = ruleOnStandIns(def.vjp, ct, n);
    n.inputs.forEach((x, i) => {
      const res = results[i];
      if (!active.has(x) || !res) return;
      const step = docs[i] || docs[docs.length - 1] || `∂L/∂{${i}} via ${n.op}`;
      push(
        x,
        g.withProvenance({ forward: n, step }, () => replay(g, res, back)),
      );
    });
  }
  return total;
}

/** Gradients of a scalar `y` with respect to each of `xs` (inputs, params or inner nodes). */
export function grad(y: Node, xs: readonly Node[]): Node[] {
  if (y.size !== 1) {
    throw new GraphError(
      'grad',
      `grad: ${describe(y)} is not a scalar; use vjp(ys, xs, cotangents) for non-scalar outputs`,
      y.meta.site,
    );
  }
  const grads = vjp([y], xs, [seedOf(y)]);
  xs.forEach((x, i) => {
    if (x.label) y.graph.label(grads[i]!, `grad_${x.label}`);
  });
  return grads;
}

/** ∂L/∂L = 1: the cotangent that starts reverse mode from a scalar loss. */
export function seedOf(y: Node): Node {
  return y.graph.withProvenance({ forward: y, step: SEED_STEP }, () =>
    B.constant(y.graph, 1, y.shape, 'f32'),
  );
}

export function valueAndGrad(y: Node, xs: readonly Node[]): { value: Node; grads: Node[] } {
  return { value: y, grads: grad(y, xs) };
}
