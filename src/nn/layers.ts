// Layers as plain graph builders: dense/linear, embedding, conv2d, pooling, flatten, residual.
// Each layer with params names them `${name}.W`, `${name}.b`, … and runs inside g.scope(name).
import * as B from '../builder/ops.ts';
import { avgPool2d, conv2d as convOp, maxPool2d } from '../builder/conv.ts';
import { GraphError, opError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { normal } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import { captureSite } from '../ir/site.ts';
import type { Activation } from './activations.ts';
import { activationFn } from './activations.ts';
import type { Initializer } from './init.ts';
import { fansOf, fixed, xavierUniform, zeros } from './init.ts';

/** Train mode uses batch statistics and dropout; eval mode is deterministic inference. */
export type Mode = 'train' | 'eval';

/**
 * The given name, or `${base}${k}` for the smallest k ≥ 1 whose params are not yet in the graph.
 * Derived from the graph itself, so building the same model twice gives the same names (which
 * is what lets an eval graph load a train graph's params).
 */
export function layerName(g: Graph, base: string, given?: string): string {
  if (given !== undefined) return given;
  const used = (k: number) => [...g.params.keys()].some((p) => p.startsWith(`${base}${k}.`));
  let k = 1;
  while (used(k)) k++;
  return `${base}${k}`;
}

/** Label the pre-activation `z` and the activation `a`, then return `a`. */
function activate(name: string, z: Node, activation: Activation | undefined): Node {
  z.named(`${name}.z`);
  if (activation === undefined || activation === 'linear') return z;
  return activationFn(activation)(z).named(`${name}.a`);
}

export interface DenseOptions {
  readonly name?: string;
  readonly activation?: Activation;
  /** Weight initializer; Xavier-uniform by default. */
  readonly init?: Initializer;
  /** Bias initializer; zeros by default. */
  readonly biasInit?: Initializer;
  readonly bias?: boolean;
  /** false freezes the layer's params (trainStep gives them no gradient or update). */
  readonly trainable?: boolean;
}

/** x [..., in] · W [in, units] + b [units], then the activation. */
export function dense(x: Node, units: number, opts: DenseOptions = {}): Node {
  const g = x.graph;
  const name = layerName(g, 'dense', opts.name);
  if (x.rank < 1)
    throw opError('shape', `dense '${name}'`, 'needs x [..., in]', [x.shape], captureSite());
  const fanIn = x.shape[x.rank - 1]!;
  return g.scope(name, () => {
    const wShape = [fanIn, units];
    const train = opts.trainable ?? true;
    const W = g.param(`${name}.W`, wShape, (opts.init ?? xavierUniform)(fansOf(wShape)), train);
    let z = x.matmul(W);
    if (opts.bias !== false) {
      const bInit = (opts.biasInit ?? zeros)({ fanIn, fanOut: units });
      z = z.add(g.param(`${name}.b`, [units], bInit, train));
    }
    return activate(name, z, opts.activation);
  });
}

/** A dense layer without activation (the affine map x·W + b). */
export const linear = (x: Node, units: number, opts: Omit<DenseOptions, 'activation'> = {}): Node =>
  dense(x, units, opts);

export interface EmbeddingOptions {
  readonly name?: string;
  /** Table initializer; N(0, 0.02) by default (GPT-2's; PyTorch's nn.Embedding uses N(0, 1)). */
  readonly init?: Initializer;
  /** false freezes the table. */
  readonly trainable?: boolean;
}

/** Rows of a learned table E [vocab, dim] picked by i32 ids [...] → [..., dim]. */
export function embedding(
  ids: Node,
  vocab: number,
  dim: number,
  opts: EmbeddingOptions = {},
): Node {
  const g = ids.graph;
  const name = layerName(g, 'embedding', opts.name);
  if (ids.dtype !== 'i32') {
    throw new GraphError(
      'dtype',
      `embedding '${name}': ids must be i32, got ${ids.dtype}${fmtShape(ids.shape)}`,
      captureSite(),
    );
  }
  return g.scope(name, () => {
    const init = (opts.init ?? fixed(normal(0.02)))(fansOf([vocab, dim]));
    const table = g.param(`${name}.E`, [vocab, dim], init, opts.trainable ?? true);
    return B.gather(table, ids, 0).named(`${name}.out`);
  });
}

export interface Conv2dOptions {
  readonly name?: string;
  readonly stride?: number;
  readonly padding?: number;
  readonly activation?: Activation;
  /** Kernel initializer; Xavier-uniform over fans C·k·k and out·k·k by default. */
  readonly init?: Initializer;
  readonly bias?: boolean;
}

/** x [N, C, H, W] ⊛ W [out, C, k, k] + b [out] → [N, out, OH, OW], then the activation. */
export function conv2d(x: Node, out: number, kernel: number, opts: Conv2dOptions = {}): Node {
  const g = x.graph;
  const name = layerName(g, 'conv', opts.name);
  if (x.rank !== 4) {
    throw opError('shape', `conv2d '${name}'`, 'needs x [N,C,H,W]', [x.shape], captureSite());
  }
  return g.scope(name, () => {
    const wShape = [out, x.shape[1]!, kernel, kernel];
    const W = g.param(`${name}.W`, wShape, (opts.init ?? xavierUniform)(fansOf(wShape)));
    const b = opts.bias === false ? undefined : g.param(`${name}.b`, [out], zeros(fansOf([out])));
    const z = convOp(x, W, b, { stride: opts.stride ?? 1, padding: opts.padding ?? 0 });
    return activate(name, z, opts.activation);
  });
}

/** k×k max pooling of x [N, C, H, W] (stride k unless given). */
export const maxPool = (x: Node, k = 2, stride = k): Node => maxPool2d(x, k, stride);
/** k×k average pooling of x [N, C, H, W] (stride k unless given). */
export const avgPool = (x: Node, k = 2, stride = k): Node => avgPool2d(x, k, stride);

/** [N, ...] → [N, prod(...)]: a view. */
export function flatten(x: Node): Node {
  return B.reshape(x, [x.shape[0] ?? 1, -1]);
}

/** x + f(x): the skip connection; f must keep the shape. */
export function residual(x: Node, f: (x: Node) => Node, name?: string): Node {
  const body = () => {
    const fx = f(x);
    if (!sameShape(fx.shape, x.shape)) {
      throw opError(
        'shape',
        `residual${name ? ` '${name}'` : ''}`,
        `the block maps ${fmtShape(x.shape)} to ${fmtShape(fx.shape)}; a skip connection needs equal shapes`,
        [x.shape, fx.shape],
        captureSite(),
      );
    }
    return x.add(fx);
  };
  return name === undefined ? body() : x.graph.scope(name, body);
}
