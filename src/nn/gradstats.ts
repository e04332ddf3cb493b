// Gradient statistics as part of the compiled step: the L2 norm of each trainable param's
// gradient, as extra outputs `grad_norm.<param>` (no second pass: the gradients are the step's
// own nodes — grad is interned, so asking again returns the very nodes the update uses).
import { grad } from '../autodiff/grad.ts';
import * as B from '../builder/ops.ts';
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';

export const GRAD_NORM_PREFIX = 'grad_norm.';

/** Add an output ‖∂loss/∂p‖₂ for every trainable param p (before any clipping). */
export function addGradNormOutputs(g: Graph, loss: Node): string[] {
  const params = [...g.params.values()].filter((p) => p.trainable);
  const grads = grad(
    loss,
    params.map((p) => p.node),
  );
  return params.map((p, i) => {
    const name = `${GRAD_NORM_PREFIX}${p.name}`;
    const g2 = grads[i]!;
    g.output(name, B.sqrt(B.sum(B.square(g2))).named(name));
    return name;
  });
}

/**
 * Add an output ‖∂loss/∂n‖₂ for inner nodes (e.g. an RNN's hidden states: the gradient reaching
 * each time step), named `grad_norm.<label>`. The gradient of an inner node is the total one, over
 * every path from it to the loss; the nodes must be labelled.
 */
export function addNodeGradNormOutputs(g: Graph, loss: Node, nodes: readonly Node[]): string[] {
  const grads = grad(loss, nodes);
  return nodes.map((n, i) => {
    if (!n.label) throw new GraphError('grad', `addNodeGradNormOutputs: ${n} has no label`);
    const name = `${GRAD_NORM_PREFIX}${n.label}`;
    g.output(name, B.sqrt(B.sum(B.square(grads[i]!))).named(name));
    return name;
  });
}

/** The gradient norms among a step's outputs, by param name (empty when the graph has none). */
export function gradNormsOf(
  outputs: Readonly<Record<string, ArrayLike<number>>>,
): Record<string, number> {
  const norms: Record<string, number> = {};
  for (const [k, v] of Object.entries(outputs)) {
    if (k.startsWith(GRAD_NORM_PREFIX)) norms[k.slice(GRAD_NORM_PREFIX.length)] = v[0]!;
  }
  return norms;
}
