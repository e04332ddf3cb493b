// The one node type: immutable, interned per graph, with shape, dtype and the user's call site.
import type { DType } from './dtype.ts';
import type { Shape } from './shape.ts';
import type { Site } from './site.ts';
import type { OpName } from '../ops/names.ts';
import type { Graph } from './graph.ts';
import * as B from '../builder/ops.ts';
import type { Operand } from '../builder/ops.ts';
import * as C from '../builder/composite.ts';

export type AttrValue = number | string | boolean | null | readonly number[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * Which derivative a gradient node implements: the forward node, the input whose cotangent it is
 * part of (null: the forward node's own cotangent — seed, fan-in sum, zero), and the chain-rule
 * step as a template (`{0}` `{1}` the forward node's inputs, `{out}` the node itself).
 */
export interface Provenance {
  readonly forward: Node;
  readonly input: number | null;
  readonly step: string;
}

/** Facts about a node that are not part of its identity (interning ignores them). */
export interface NodeMeta {
  readonly site: Site;
  readonly scope: string;
  readonly prov: Provenance | null;
}

export class Node {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly op: OpName,
    readonly inputs: readonly Node[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly meta: NodeMeta,
  ) {
    Object.freeze(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** The human name of a leaf or a labelled node, if any. */
  get label(): string | undefined {
    return this.graph.labelOf(this);
  }

  // Method-style ops: thin calls to the function-style builder, for readable model code.
  add(b: Operand): Node {
    return B.add(this, b);
  }
  sub(b: Operand): Node {
    return B.sub(this, b);
  }
  mul(b: Operand): Node {
    return B.mul(this, b);
  }
  div(b: Operand): Node {
    return B.div(this, b);
  }
  pow(b: Operand): Node {
    return B.pow(this, b);
  }
  maximum(b: Operand): Node {
    return B.maximum(this, b);
  }
  minimum(b: Operand): Node {
    return B.minimum(this, b);
  }
  eq(b: Operand): Node {
    return B.eq(this, b);
  }
  ne(b: Operand): Node {
    return B.ne(this, b);
  }
  lt(b: Operand): Node {
    return B.lt(this, b);
  }
  le(b: Operand): Node {
    return B.le(this, b);
  }
  gt(b: Operand): Node {
    return B.gt(this, b);
  }
  ge(b: Operand): Node {
    return B.ge(this, b);
  }
  neg(): Node {
    return B.neg(this);
  }
  exp(): Node {
    return B.exp(this);
  }
  log(): Node {
    return B.log(this);
  }
  sqrt(): Node {
    return B.sqrt(this);
  }
  reciprocal(): Node {
    return B.reciprocal(this);
  }
  sin(): Node {
    return B.sin(this);
  }
  cos(): Node {
    return B.cos(this);
  }
  tanh(): Node {
    return B.tanh(this);
  }
  sigmoid(): Node {
    return B.sigmoid(this);
  }
  relu(): Node {
    return B.relu(this);
  }
  abs(): Node {
    return B.abs(this);
  }
  sign(): Node {
    return B.sign(this);
  }
  square(): Node {
    return B.square(this);
  }
  matmul(b: Node): Node {
    return B.matmul(this, b);
  }
  sum(axes?: number | readonly number[], keepdims = false): Node {
    return B.sum(this, axes, keepdims);
  }
  max(axes?: number | readonly number[], keepdims = false): Node {
    return B.max(this, axes, keepdims);
  }
  mean(axes?: number | readonly number[], keepdims = false): Node {
    return C.mean(this, axes, keepdims);
  }
  reshape(shape: Shape): Node {
    return B.reshape(this, shape);
  }
  permute(perm: readonly number[]): Node {
    return B.permute(this, perm);
  }
  /** The matrix transpose (last two axes swapped): a view. */
  get T(): Node {
    return B.transpose(this);
  }
  broadcastTo(shape: Shape): Node {
    return B.broadcastTo(this, shape);
  }
  slice(ranges: readonly (readonly number[])[]): Node {
    return B.slice(this, ranges);
  }
  cast(dtype: DType): Node {
    return B.cast(this, dtype);
  }
  softmax(axis = -1): Node {
    return C.softmax(this, axis);
  }
  logSoftmax(axis = -1): Node {
    return C.logSoftmax(this, axis);
  }
  /** Give this node a human name (printer, generated code); returns it for chaining. */
  named(name: string): Node {
    return this.graph.label(this, name);
  }

  toString(): string {
    return `${this.label ?? `%${this.id}`}: ${this.dtype}[${this.shape.join(',')}]`;
  }
}

/** Interning key: op, input ids and attributes — short, and distinct for distinct values. */
export function nodeKey(op: OpName, inputs: readonly Node[], attrs: Attrs): string {
  let key = `${op}(${inputs.map((n) => n.id).join(',')})`;
  for (const name in attrs) key += `${name}=${attrKey(attrs[name]!)};`;
  return key;
}

/**
 * One attribute value as key text. Not JSON: JSON writes ±∞ and NaN as `null` and −0 as `0`,
 * which would intern `constant(∞)` and `constant(−∞)` as one node.
 */
export function attrKey(v: AttrValue): string {
  if (typeof v === 'number') return numberKey(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v === 'boolean') return String(v);
  if (!Array.isArray(v)) return JSON.stringify(v);
  let out = '[';
  // Elements are numbers by type; nested values (an op's richer attrs) still get distinct keys.
  for (const x of v as readonly AttrValue[]) out += `${attrKey(x)},`;
  return `${out}]`;
}

/** String(v) round-trips every double and spells NaN and ±Infinity; only −0 needs a mark. */
export const numberKey = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
