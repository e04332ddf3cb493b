// The backward graph `inspect --grad` and `check` work on: an infer graph's scalar loss
// differentiated w.r.t. its trainable params (outputs grad_<param>); a train graph as it is.
import { grad } from '../index.ts';
import type { Graph, Node } from '../index.ts';
import { CliError } from './errors.ts';

/** The output to differentiate: `loss` if scalar, else the only scalar output. */
export function scalarOutput(g: Graph): { name: string; node: Node } {
  const loss = g.outputs.get('loss');
  if (loss && loss.size === 1) return { name: 'loss', node: loss };
  const scalars = [...g.outputs].filter(([, n]) => n.size === 1);
  if (scalars.length === 1) return { name: scalars[0]![0], node: scalars[0]![1] };
  const outs = [...g.outputs].map(([k, n]) => `${k} ${n.dtype}[${n.shape.join(',')}]`).join(', ');
  const why =
    scalars.length > 1 ? 'several scalar outputs and none is named loss' : 'no scalar output';
  throw new CliError(
    `graph '${g.name}' has ${why}: differentiating needs a scalar output named 'loss' (outputs: ${outs || 'none'})`,
  );
}

/** Add `grad_<param>` outputs for every trainable param (in place); returns their names. */
export function addGradOutputs(g: Graph): { loss: string; grads: Map<string, string> } {
  const loss = scalarOutput(g);
  const params = [...g.params.values()].filter((p) => p.trainable);
  if (params.length === 0)
    throw new CliError(`graph '${g.name}' has no trainable params to differentiate`);
  const grads = grad(
    loss.node,
    params.map((p) => p.node),
  );
  const names = new Map<string, string>();
  params.forEach((p, i) => {
    const out = `grad_${p.name}`;
    g.output(out, grads[i]!);
    names.set(p.name, out);
  });
  return { loss: loss.name, grads: names };
}

/** The graph with its backward pass: train graphs already contain it. */
export function withGradients(g: Graph): Graph {
  if (g.updates.size === 0) addGradOutputs(g);
  return g;
}
