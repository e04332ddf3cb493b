// Constant folding: a node whose inputs are all literals is evaluated now with its op's float64
// reference eval and becomes a `constant` (all values equal) or a small `tensor` literal.
import type { Graph } from '../ir/graph.ts';
import type { Node, NodeMeta } from '../ir/node.ts';
import { topo } from '../ir/traverse.ts';
import { evalNode, factsOf, isOp, uniformValue } from '../ops/dispatch.ts';
import { runRewrite } from './rewrite.ts';
import type { PassResult } from './rewrite.ts';

/** Largest non-uniform result kept as a `tensor` literal; bigger ones stay computed at run time. */
export const MAX_TENSOR_LITERAL = 64;
/** Largest input or output evaluated at compile time (bounds the pass's cost per node). */
const MAX_EVAL = 1 << 16;

/** Values that interning can hold: attrs are keyed by JSON, which maps NaN and ±∞ to null. */
function representable(v: number): boolean {
  return Number.isFinite(v) && !Object.is(v, -0);
}

/** Evaluate `node` (from the source graph) on the literal values of its rebuilt inputs. */
function evalLiteral(node: Node, ins: readonly Node[]): Float64Array | null {
  if (node.size > MAX_EVAL || ins.some((x) => x.size > MAX_EVAL)) return null;
  const vals = ins.map((x) => evalNode(x, []));
  // The source node has the same shapes as the rebuilt one; view evals read shapes off it.
  return evalNode(node, vals);
}

/** The value of `node` when every input is a uniform `constant` (no per-element work), or null. */
function uniformOf(node: Node, ins: readonly Node[]): number | null {
  const vals: number[] = [];
  for (const x of ins) {
    if (!isOp(x, 'constant')) return null;
    vals.push(x.attrs.value);
  }
  const count = node.size === 0 ? 0 : ins[0]!.size / node.size;
  return uniformValue(node, vals, count);
}

/** Could `node` fold, judging by its own inputs? (A cheap scan that lets fold skip a rebuild.) */
function candidate(node: Node, ins: readonly Node[]): boolean {
  return (
    !factsOf(node.op).noFold && ins.length > 0 && ins.every((x) => factsOf(x.op).literal === true)
  );
}

/** The folded literal for `node`, or null when it should stay as it is. */
function foldNode(node: Node, ins: readonly Node[], dst: Graph, meta: NodeMeta): Node | null {
  if (!candidate(node, ins)) return null;
  const uniform = uniformOf(node, ins);
  const vals = uniform === null ? evalLiteral(node, ins) : Float64Array.of(uniform);
  if (!vals || !vals.every(representable)) return null;
  const first = vals[0] ?? 0;
  if (vals.every((v) => v === first)) {
    const attrs = { value: first, shape: [...node.shape], dtype: node.dtype };
    return dst.applyAs('constant', [], attrs, meta);
  }
  // tensor literals are f32 only; other dtypes are left to run time.
  if (vals.length > MAX_TENSOR_LITERAL || node.dtype !== 'f32') return null;
  return dst.applyAs('tensor', [], { values: [...vals], shape: [...node.shape] }, meta);
}

export function fold(g: Graph): PassResult {
  if (!topo(g.roots()).some((n) => candidate(n, n.inputs))) return { graph: g, changed: false };
  return runRewrite(g, foldNode);
}
