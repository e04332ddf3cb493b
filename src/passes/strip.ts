// After autodiff, stop_gradient and custom_vjp are identities at run time (their only job was to
// steer grad): replace each with its value input. Running this before grad would change gradients.
import type { Graph } from '../ir/graph.ts';
import { topo } from '../ir/traverse.ts';
import { runRewrite } from './rewrite.ts';
import type { PassResult } from './rewrite.ts';

export function stripStopGradient(g: Graph): PassResult {
  const wrapper = (op: string) => op === 'stop_gradient' || op === 'custom_vjp';
  if (!topo(g.roots()).some((n) => wrapper(n.op))) return { graph: g, changed: false };
  return runRewrite(g, (node, ins) => {
    // stop_gradient x → x
    if (node.op === 'stop_gradient') return ins[0]!;
    // custom_vjp(value, primals…) → value: the primals only fed the hand-written VJP.
    if (node.op === 'custom_vjp') return ins[0]!;
    return null;
  });
}
