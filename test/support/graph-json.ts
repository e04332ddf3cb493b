// A graph with its feeds and param values as plain JSON, and back: how a fuzzed graph travels to
// PyTorch (scripts/torch-diff/) and how torch-made fixtures are replayed without torch.
import { Graph } from '../../src/ir/graph.ts';
import type { DType } from '../../src/ir/dtype.ts';
import * as init from '../../src/ir/init.ts';
import type { AttrValue, Attrs, Node } from '../../src/ir/node.ts';
import { topo } from '../../src/ir/traverse.ts';
import { evalNode, isOp } from '../../src/ops/dispatch.ts';
import type { OpName } from '../../src/ops/names.ts';

/** A number JSON cannot hold (±∞, NaN, −0), spelled as a string inside a tagged object. */
export type JsonNum = number | { readonly $num: string };

export interface JsonNode {
  readonly op: OpName;
  /** Indices of earlier nodes of the same list (the list is in topological order). */
  readonly ins: readonly number[];
  readonly attrs: Readonly<Record<string, JsonNum | string | boolean | null | readonly JsonNum[]>>;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** A random draw's values: another framework cannot replay gradc's counter-based hash. */
  readonly values?: readonly number[];
}

export interface JsonGraph {
  readonly name: string;
  readonly nodes: readonly JsonNode[];
  /** Values of the inputs (by name) and of the params (by name). */
  readonly feeds: Readonly<Record<string, readonly JsonNum[]>>;
  readonly params: Readonly<Record<string, readonly JsonNum[]>>;
  /** Output name → node index; `loss` is the scalar the gradients are taken of. */
  readonly outputs: Readonly<Record<string, number>>;
  readonly loss: number;
  /** The leaves (params, then f32 inputs) differentiated with respect to, as node indices. */
  readonly wrt: readonly number[];
  /** One direction per `wrt` leaf for the Hessian-vector product ∂⟨∇loss, v⟩/∂x. */
  readonly hvpV: readonly (readonly number[])[];
}

export const encodeNum = (v: number): JsonNum =>
  Number.isFinite(v) && !Object.is(v, -0) ? v : { $num: Object.is(v, -0) ? '-0' : String(v) };

export const decodeNum = (v: JsonNum): number => (typeof v === 'number' ? v : Number(v.$num));

function encodeAttr(v: AttrValue): JsonNode['attrs'][string] {
  if (typeof v === 'number') return encodeNum(v);
  if (Array.isArray(v)) return (v as readonly number[]).map(encodeNum);
  return v as string | boolean | null;
}

function decodeAttr(v: JsonNode['attrs'][string]): AttrValue {
  if (Array.isArray(v)) return (v as readonly JsonNum[]).map(decodeNum);
  if (v !== null && typeof v === 'object') return decodeNum(v as JsonNum);
  return v as string | boolean | null;
}

export interface ToJsonArgs {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, ArrayLike<number>>>;
  readonly params: Readonly<Record<string, ArrayLike<number>>>;
  readonly loss: Node;
  readonly wrt: readonly Node[];
  readonly hvpV: readonly (readonly number[])[];
}

/** The forward graph (everything the outputs need) as JSON. */
export function graphToJson(a: ToJsonArgs): JsonGraph {
  const roots = [...a.graph.outputs.values(), a.loss, ...a.wrt];
  const order = topo(roots);
  const at = new Map(order.map((n, i) => [n, i]));
  const env = new Map<Node, Float64Array>();
  const nodes = order.map((n): JsonNode => {
    const attrs = Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, encodeAttr(v)]));
    const base = { op: n.op, ins: n.inputs.map((x) => at.get(x)!), attrs, shape: n.shape };
    if (!isOp(n, 'random')) return { ...base, dtype: n.dtype };
    const ins = n.inputs.map((x) => Float64Array.from(a.feeds[x.label!]!));
    env.set(n, evalNode(n, ins));
    return { ...base, dtype: n.dtype, values: [...env.get(n)!] };
  });
  const list = (v: ArrayLike<number>) => Array.from(v, (x) => encodeNum(Number(x)));
  const pick = (vs: ToJsonArgs['feeds'], names: Iterable<string>) =>
    Object.fromEntries([...names].map((k) => [k, list(vs[k]!)]));
  // Only the leaves the graph reaches: an input no output needs is not part of it.
  const leaves = (op: 'input' | 'param') => order.filter((n) => n.op === op).map((n) => n.label!);
  return {
    name: a.graph.name,
    nodes,
    feeds: pick(a.feeds, leaves('input')),
    params: pick(a.params, leaves('param')),
    outputs: Object.fromEntries([...a.graph.outputs].map(([k, n]) => [k, at.get(n)!])),
    loss: at.get(a.loss)!,
    wrt: a.wrt.map((n) => at.get(n)!),
    hvpV: a.hvpV,
  };
}

export interface FromJson {
  readonly graph: Graph;
  /** Inputs as float32 / int32 arrays, ready to feed a compiled module or the interpreter. */
  readonly feeds: Record<string, Float32Array | Int32Array>;
  readonly params: Record<string, Float32Array>;
  readonly nodes: readonly Node[];
}

/** Rebuild the graph; params start at their stored values (rounded to float32). */
export function graphFromJson(j: JsonGraph): FromJson {
  const g = new Graph(j.name);
  const nodes: Node[] = [];
  for (const n of j.nodes) {
    const attrs: Attrs = Object.fromEntries(
      Object.entries(n.attrs).map(([k, v]) => [k, decodeAttr(v)]),
    );
    const ins = n.ins.map((i) => nodes[i]!);
    const name = String(attrs['name']);
    if (n.op === 'input') nodes.push(g.input(name, n.shape, n.dtype));
    else if (n.op === 'param') {
      nodes.push(g.param(name, n.shape, init.values(j.params[name]!.map(decodeNum))));
    } else nodes.push(g.apply(n.op, ins, attrs));
  }
  for (const [k, i] of Object.entries(j.outputs)) g.output(k, nodes[i]!);
  const feeds = Object.fromEntries(
    Object.entries(j.feeds).map(([k, v]) => {
      const vs = v.map(decodeNum);
      const typed = g.inputs.get(k)!.dtype === 'f32' ? Float32Array.from(vs) : Int32Array.from(vs);
      return [k, typed];
    }),
  );
  const params = Object.fromEntries(
    Object.entries(j.params).map(([k, v]) => [k, Float32Array.from(v.map(decodeNum))]),
  );
  return { graph: g, feeds, params, nodes };
}
