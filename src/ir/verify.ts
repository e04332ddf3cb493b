// verify(graph): the structural oracle run after every pass in tests — every reachable node belongs
// to the graph, has its op's arity, and its shape/dtype are what the op's infer rule says.
import { GraphError } from './errors.ts';
import type { Graph } from './graph.ts';
import { nodeKey } from './node.ts';
import type { Node } from './node.ts';
import { sameShape } from './shape.ts';
import { topo } from './traverse.ts';
import type { Inferred } from '../ops/def.ts';
import { inferOp } from '../ops/dispatch.ts';
import { OPS } from '../ops/table.ts';

/** Problems with one node, as sentences (empty when it is well formed). */
function nodeProblems(g: Graph, n: Node): string[] {
  const out: string[] = [];
  const def = OPS[n.op];
  if (n.graph !== g) out.push(`${n.op} ${n}: belongs to another graph`);
  n.inputs.forEach((x, i) => {
    if (x.graph !== g) out.push(`${n.op} ${n}: input ${i} belongs to another graph`);
    else if (x.id >= n.id) out.push(`${n.op} ${n}: input ${i} was created after it`);
  });
  if (def.arity >= 0 && n.inputs.length !== def.arity) {
    out.push(`${n.op} ${n}: ${n.inputs.length} inputs, the op takes ${def.arity}`);
  }
  if (out.length) return out;
  const res = inferOp(n.op, n.inputs, n.attrs);
  if (typeof res === 'string') out.push(`${n.op} ${n}: infer rejects it: ${res}`);
  else if (!sameShape(res.shape, n.shape) || res.dtype !== n.dtype) {
    out.push(`${n.op} ${n}: infer gives ${res.dtype}[${res.shape.join(',')}]`);
  }
  return out;
}

/** Leaves, outputs and updates agree with the graph's tables. */
function tableProblems(g: Graph): string[] {
  const out: string[] = [];
  for (const [name, n] of g.inputs) {
    if (n.op !== 'input' || n.graph !== g) out.push(`input '${name}' is not an input node of g`);
  }
  for (const [name, p] of g.params) {
    if (p.node.op !== 'param' || p.node.graph !== g)
      out.push(`param '${name}' is not a param of g`);
  }
  for (const [name, n] of g.outputs) {
    if (n.graph !== g) out.push(`output '${name}' belongs to another graph`);
  }
  for (const [name, n] of g.updates) {
    const p = g.params.get(name);
    if (!p) out.push(`update '${name}' has no param`);
    else if (!sameShape(p.node.shape, n.shape)) out.push(`update '${name}' has the wrong shape`);
  }
  return out;
}

/** Throws a GraphError (code 'graph') listing every problem found; returns the graph. */
export function verify(g: Graph): Graph {
  const problems = tableProblems(g);
  const keys = new Set<string>();
  for (const n of topo(g.roots())) {
    problems.push(...nodeProblems(g, n));
    // Interning means one node per key: a duplicate says a pass bypassed Graph.apply.
    const key = nodeKey(n.op, n.inputs, n.attrs);
    if (keys.has(key)) problems.push(`${n.op} ${n}: duplicate of an interned node`);
    keys.add(key);
  }
  if (problems.length) {
    const shown = problems.slice(0, 10).join('\n  ');
    const more = problems.length > 10 ? `\n  … ${problems.length - 10} more` : '';
    throw new GraphError(
      'graph',
      `verify ${g.name}: ${problems.length} problems\n  ${shown}${more}`,
    );
  }
  return g;
}
