// The float64 reference interpreter: the oracle every pass and backend is checked against.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { hashString, materialize } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape } from '../ir/shape.ts';
import { topo } from '../ir/traverse.ts';
import { evalNode, isOp } from '../ops/dispatch.ts';

export type Values = Readonly<Record<string, ArrayLike<number>>>;

export interface Evaluation {
  readonly outputs: Record<string, Float64Array>;
  /** New param values (training graphs). */
  readonly updates: Record<string, Float64Array>;
  /** The value of any requested node. */
  value(node: Node): Float64Array;
}

/** Deterministic initial values for every param of a graph (one stream per param name). */
export function initParams(g: Graph, seed = 0): Record<string, Float64Array> {
  // fromEntries defines own properties, so even a param named __proto__ survives.
  return Object.fromEntries(
    [...g.params.values()].map((p) => [
      p.name,
      materialize(p.init, p.node.shape, (seed ^ hashString(p.name)) >>> 0),
    ]),
  );
}

/** The first element of `v` an i32 tensor cannot hold exactly (NaN, a fraction, past int32). */
function firstNonInt32(v: ArrayLike<number>): number {
  if (v instanceof Int32Array || v instanceof Int16Array || v instanceof Int8Array) return -1;
  if (v instanceof Uint16Array || v instanceof Uint8Array || v instanceof Uint8ClampedArray)
    return -1;
  for (let i = 0; i < v.length; i++) if ((v[i]! | 0) !== v[i]) return i;
  return -1;
}

/**
 * One fed value: an array of numbers (a typed array, BigInt ones aside, or a plain array) of the
 * node's size; for an i32 node every value an int32, as compiled code would otherwise truncate or
 * wrap what the interpreter keeps.
 */
export function checkValue(
  kind: 'input' | 'param',
  node: Node,
  name: string,
  v: ArrayLike<number> | undefined | null,
): void {
  if (v === undefined || v === null)
    throw new GraphError(kind, `missing ${kind} '${name}' ${node.dtype}${fmtShape(node.shape)}`);
  const typed = ArrayBuffer.isView(v) && !(v instanceof DataView);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array || !(typed || Array.isArray(v))) {
    const got = typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
    throw new GraphError(
      kind,
      `${kind} '${name}': got ${got}; pass a Float32Array, Int32Array or an array of numbers`,
    );
  }
  if (v.length !== node.size) {
    throw new GraphError(
      kind,
      `${kind} '${name}': expected ${node.size} values for shape ${fmtShape(node.shape)}, got ${v.length}`,
    );
  }
  if (!typed) {
    const at = (v as unknown[]).findIndex((x) => typeof x !== 'number');
    if (at >= 0) {
      const x = (v as unknown[])[at];
      throw new GraphError(
        kind,
        `${kind} '${name}': element ${at} is ${typeof x === 'string' ? JSON.stringify(x) : typeof x}, not a number`,
      );
    }
  }
  const bad = node.dtype === 'f32' ? -1 : firstNonInt32(v);
  if (bad >= 0) {
    throw new GraphError(
      kind,
      `${kind} '${name}' ${node.dtype}${fmtShape(node.shape)}: element ${bad} is ${v[bad]}, not an int32`,
    );
  }
}

/** Check names and sizes of everything fed in, before any work is done. */
/** `needed`: the inputs that must be fed (default: all of them). */
export function checkFeeds(
  g: Graph,
  inputs: Values,
  params?: Values,
  needed: ReadonlySet<string> = new Set(g.inputs.keys()),
): void {
  if (typeof inputs !== 'object' || inputs === null) {
    throw new GraphError('input', `inputs must be an object of named arrays, got ${inputs}`);
  }
  for (const name of Object.keys(inputs)) {
    if (!g.inputs.has(name)) {
      const known = [...g.inputs.keys()].join(', ') || 'none';
      throw new GraphError('input', `unknown input '${name}' (the graph's inputs: ${known})`);
    }
  }
  // Own properties only: a graph input named 'constructor' is not Object.prototype's.
  const own = (vs: Values, k: string) => (Object.hasOwn(vs, k) ? vs[k] : undefined);
  for (const [name, node] of g.inputs) {
    const v = own(inputs, name);
    if (needed.has(name) || v) checkValue('input', node, name, v);
  }
  if (params)
    for (const [name, p] of g.params) checkValue('param', p.node, name, own(params, name));
}

export interface InterpretOptions {
  /**
   * Round every f32 node's value to float32 (each op still computes in float64): what the graph
   * gives in float32 arithmetic, the second oracle that tells float32 cancellation from bugs.
   */
  readonly roundF32?: boolean;
}

/**
 * Evaluate the graph's outputs and updates (and any `extra` nodes) in float64.
 * Params default to their initializers' values.
 */
export function interpret(
  g: Graph,
  inputs: Values,
  params: Values = initParams(g),
  extra: readonly Node[] = [],
  opts: InterpretOptions = {},
): Evaluation {
  checkFeeds(g, inputs, params);
  const env = new Map<Node, Float64Array>();
  for (const node of topo([...g.roots(), ...extra])) {
    let v: Float64Array;
    if (isOp(node, 'input')) v = Float64Array.from(inputs[node.attrs.name]!);
    else if (isOp(node, 'param')) v = Float64Array.from(params[node.attrs.name]!);
    else
      v = evalNode(
        node,
        node.inputs.map((x) => env.get(x)!),
      );
    if (opts.roundF32 && node.dtype === 'f32') v = v.map(Math.fround);
    env.set(node, v);
  }
  const pick = (m: ReadonlyMap<string, Node>) =>
    Object.fromEntries([...m].map(([k, n]) => [k, env.get(n)!]));
  return {
    outputs: pick(g.outputs),
    updates: pick(g.updates),
    value: (n) => {
      const v = env.get(n);
      if (!v) throw new GraphError('graph', `node ${n} was not evaluated`);
      return v;
    },
  };
}

/** Evaluate single nodes of a graph (convenience for tests and gradient checks). */
export function evaluate(
  g: Graph,
  nodes: readonly Node[],
  inputs: Values,
  params?: Values,
): Float64Array[] {
  const ev = interpret(g, inputs, params ?? initParams(g), nodes);
  return nodes.map((n) => ev.value(n));
}
