// A graph: the intern table of its nodes, its leaves (inputs, params) and its named outputs and updates.
import type { DType } from './dtype.ts';
import { GraphError, opError } from './errors.ts';
import type { InitSpec } from './init.ts';
import { Node, nodeKey } from './node.ts';
import type { Attrs, NodeMeta, Provenance } from './node.ts';
import type { Shape } from './shape.ts';
import { fmtShape, size } from './shape.ts';
import { captureSite } from './site.ts';
import type { OpName } from '../ops/names.ts';
import { inferOp } from '../ops/dispatch.ts';

/** The most elements one tensor may have: kernels index with int32. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface ParamSpec {
  readonly name: string;
  readonly node: Node;
  readonly init: InitSpec;
  /** Optimizer state and similar: saved in checkpoints but not trained. */
  readonly trainable: boolean;
}

export class Graph {
  private readonly table = new Map<string, Node>();
  private readonly labels = new Map<Node, string>();
  /** Every node in creation order, which is a topological order. */
  readonly nodes: Node[] = [];
  readonly inputs = new Map<string, Node>();
  readonly params = new Map<string, ParamSpec>();
  readonly outputs = new Map<string, Node>();
  /** New values for params after one step (training graphs). */
  readonly updates = new Map<string, Node>();
  private scopes: string[] = [];
  private prov: Provenance | null = null;

  constructor(readonly name = 'graph') {}

  /** Build (or find) the node `op(inputs)`; throws GraphError naming the op, shapes and user line. */
  apply(op: OpName, inputs: readonly Node[], attrs: Attrs = {}): Node {
    return this.applyAs(op, inputs, attrs, null);
  }

  /** As apply, but with given metadata (passes copying nodes keep the user's site and provenance). */
  applyAs(op: OpName, inputs: readonly Node[], attrs: Attrs, given: NodeMeta | null): Node {
    for (const x of inputs) {
      if (x.graph !== this) {
        throw new GraphError(
          'graph',
          `${op}: operand ${x} belongs to another graph`,
          captureSite(),
        );
      }
    }
    const key = nodeKey(op, inputs, attrs);
    const found = this.table.get(key);
    if (found) return found;
    // A gradient node cites the user line of the forward op it differentiates.
    const site = given?.site ?? this.prov?.forward.meta.site ?? captureSite();
    const res = inferOp(op, inputs, attrs);
    const operandShapes = inputs.map((x) => x.shape);
    if (typeof res === 'string') {
      const code = res.startsWith('dtype') ? 'dtype' : 'shape';
      throw opError(code, op, res, operandShapes, site);
    }
    if (!res.shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
      // Empty tensors are not supported on any target (a zero-sized loop divides by zero).
      const detail = `every dimension must be a positive integer, but the result shape is ${fmtShape(res.shape)}`;
      throw opError('shape', op, detail, operandShapes, site);
    }
    if (size(res.shape) > MAX_ELEMENTS) {
      // Kernels index with int32 (TS, wasm, WGSL): past 2³¹ − 1 they would wrap silently.
      const detail = `the result shape ${fmtShape(res.shape)} has ${size(res.shape)} elements, more than the ${MAX_ELEMENTS} a tensor can index`;
      throw opError('shape', op, detail, operandShapes, site);
    }
    const meta: NodeMeta = given ?? { site, scope: this.scopes.join('/'), prov: this.prov };
    const node = new Node(this, this.nodes.length, op, inputs, attrs, res.shape, res.dtype, meta);
    this.table.set(key, node);
    this.nodes.push(node);
    return node;
  }

  input(name: string, shape: Shape, dtype: DType = 'f32'): Node {
    if (this.inputs.has(name) || this.params.has(name)) {
      throw new GraphError('graph', `input '${name}': the name is already used`, captureSite());
    }
    const node = this.apply('input', [], { name, shape: [...shape], dtype });
    this.inputs.set(name, node);
    this.labels.set(node, name);
    return node;
  }

  param(name: string, shape: Shape, init: InitSpec, trainable = true): Node {
    if (this.inputs.has(name) || this.params.has(name)) {
      throw new GraphError('graph', `param '${name}': the name is already used`, captureSite());
    }
    const node = this.apply('param', [], { name, shape: [...shape], dtype: 'f32' });
    this.params.set(name, { name, node, init, trainable });
    this.labels.set(node, name);
    return node;
  }

  output(name: string, node: Node): Node {
    if (node.graph !== this)
      throw new GraphError('graph', `output '${name}': node from another graph`);
    if (this.outputs.has(name)) {
      const msg = `output '${name}' is declared twice (outputs need distinct names)`;
      throw new GraphError('graph', msg, captureSite());
    }
    this.outputs.set(name, node);
    return node;
  }

  /** Declare the value a param takes after one step (optimizer updates). */
  update(param: string, value: Node): void {
    const spec = this.params.get(param);
    if (!spec) throw new GraphError('param', `update: no param named '${param}'`, captureSite());
    if (value.shape.join() !== spec.node.shape.join()) {
      throw opError(
        'shape',
        'update',
        `new value for '${param}' has the wrong shape`,
        [spec.node.shape, value.shape],
        captureSite(),
      );
    }
    if (this.updates.has(param)) {
      const msg = `update of param '${param}' is declared twice (one new value per param)`;
      throw new GraphError('graph', msg, captureSite());
    }
    this.updates.set(param, value);
    this.label(value, `${param}_next`);
  }

  /** Give a node a human name (used by the printer and for generated variable names). */
  label(node: Node, name: string): Node {
    if (!this.labels.has(node)) this.labels.set(node, name);
    return node;
  }

  labelOf(node: Node): string | undefined {
    return this.labels.get(node);
  }

  /** Run `fn` with every node it creates tagged with `name` as a scope (e.g. a layer name). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Run `fn` with every node it creates recorded as implementing `prov` (used by grad). */
  withProvenance<T>(prov: Provenance, fn: () => T): T {
    const saved = this.prov;
    this.prov = prov;
    try {
      return fn();
    } finally {
      this.prov = saved;
    }
  }

  /** The roots a compiled graph must compute: outputs, then updates. */
  roots(): Node[] {
    return [...this.outputs.values(), ...this.updates.values()];
  }
}
