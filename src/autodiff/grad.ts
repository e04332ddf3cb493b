// Reverse-mode differentiation as a graph → graph transform: walk the graph backwards, call each
// op's VJP rule, sum cotangents at fan-out. The result is ordinary nodes, so grad of grad works.
import * as B from '../builder/ops.ts';
import { GraphError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { captureSite, withSite } from '../ir/site.ts';
import { topo } from '../ir/traverse.ts';
import { vjpOf } from '../ops/dispatch.ts';

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

/** Vector-Jacobian product: cotangents of `xs` given cotangents `cts` of `ys`. */
export function vjp(ys: readonly Node[], xs: readonly Node[], cts: readonly Node[]): Node[] {
  // Every node grad builds carries provenance, and so the site of the forward op it differentiates
  // (Graph.apply): no stack capture per node. withSite covers any node built without one.
  return withSite(captureSite(), () => {
    const total = backprop(ys, xs, cts);
    const g = ys[0]!.graph;
    return xs.map(
      (x) =>
        total.get(x) ??
        g.withProvenance({ forward: x, input: null, step: ZERO_STEP }, () => B.zerosLike(x)),
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
        : g.withProvenance({ forward: n, input: null, step: FAN_IN_STEP }, () =>
            list.reduce((a, b) => B.add(a, b)),
          );
    total.set(n, ct);
    // Each input's rule runs in the real graph under its own provenance record (forward node,
    // input, step), so every node it builds says which derivative it implements.
    n.inputs.forEach((x, i) => {
      const v = active.has(x) ? vjpOf(n, i) : null;
      if (!v) return;
      const prov = { forward: n, input: i, step: v.step || `∂L/∂{${i}} via ${n.op}` };
      const res = g.withProvenance(prov, () => v.rule(ct, n, n.inputs, i));
      if (res) push(x, res);
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
  return y.graph.withProvenance({ forward: y, input: null, step: SEED_STEP }, () =>
    B.constant(y.graph, 1, y.shape, 'f32'),
  );
}

export function valueAndGrad(y: Node, xs: readonly Node[]): { value: Node; grads: Node[] } {
  return { value: y, grads: grad(y, xs) };
}
