// trainStep: ONE graph whose step does forward + backward + update and outputs the loss and the
// predictions; evalStep: the inference graph with the same param names, so params copy across.
import type { DType } from '../ir/dtype.ts';
import { GraphError } from '../ir/errors.ts';
import { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import type { Executable } from '../runtime/executable.ts';
import { addGradNormOutputs } from './gradstats.ts';
import type { Mode } from './layers.ts';
import type { Optimizer } from './optim.ts';
import { minimize } from './optim.ts';

export interface TensorSpec {
  readonly shape: Shape;
  readonly dtype?: DType;
}

export interface ModelSpec {
  readonly name?: string;
  /** The model input, fed as `x` (batch size included: shapes are static). */
  readonly input: TensorSpec;
  /** Build the forward pass; called once per graph, with the mode of that graph. */
  readonly build: (x: Node, mode: Mode) => Node;
}

export interface TrainSpec extends ModelSpec {
  /** The target, fed as `y`: f32 values/one-hot, or i32 labels. */
  readonly target: TensorSpec;
  /** A scalar loss from the predictions and the target. */
  readonly loss: (pred: Node, target: Node) => Node;
  readonly optimizer: Optimizer;
  /** Clip gradients to this global norm (adds a `grad_norm` output). */
  readonly clipNorm?: number;
  /** A term added to the loss, e.g. g => l2Penalty(weightsOf(g), 1e-4). */
  readonly penalty?: (g: Graph) => Node;
  /**
   * Which params to train: names, or a test on the name. Every trainable param by default; the
   * rest are frozen (no gradient or update kernel, values unchanged by step()).
   */
  readonly trainable?: readonly string[] | ((name: string) => boolean);
  /** Accumulate gradients over this many micro-batches (see `minimize`; `fit` feeds it). */
  readonly accumulate?: number;
  /** Output each trainable param's gradient norm as `grad_norm.<param>` (see gradstats.ts). */
  readonly gradStats?: boolean;
}

/**
 * The training graph: inputs `x`, `y`, `lr` (and `step` when the model draws random numbers);
 * outputs `loss` and `pred`; one update per trainable param plus optimizer and batch-norm state.
 */
export function trainStep(spec: TrainSpec): Graph {
  const g = new Graph(spec.name ?? 'train_step');
  const x = g.input('x', spec.input.shape, spec.input.dtype ?? 'f32');
  const y = g.input('y', spec.target.shape, spec.target.dtype ?? 'f32');
  const pred = spec.build(x, 'train').named('pred');
  let loss = spec.loss(pred, y);
  if (spec.penalty) loss = loss.add(spec.penalty(g)).named('total_loss');
  if (loss.size !== 1) {
    throw new GraphError(
      'graph',
      `trainStep: the loss must be a scalar, got ${fmtShape(loss.shape)}`,
    );
  }
  g.output('loss', loss);
  g.output('pred', pred);
  if (spec.gradStats) addGradNormOutputs(g, loss);
  const m = minimize(g, loss, {
    optimizer: spec.optimizer,
    clipNorm: spec.clipNorm,
    params: selectParams(g, spec.trainable),
    accumulate: spec.accumulate,
  });
  if (m.gradNorm) g.output('grad_norm', m.gradNorm);
  return g;
}

/** The names `trainable` selects among the graph's trainable params (undefined: all of them). */
function selectParams(g: Graph, sel: TrainSpec['trainable']): string[] | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel !== 'function') return [...sel];
  const names = [...g.params.values()].filter((p) => p.trainable && sel(p.name)).map((p) => p.name);
  if (names.length === 0) {
    throw new GraphError('param', 'trainStep: `trainable` selects no param of the model');
  }
  return names;
}

/** The inference graph: input `x`, output `pred` (and `loss` when a target and loss are given). */
export function evalStep(spec: ModelSpec & Partial<Pick<TrainSpec, 'target' | 'loss'>>): Graph {
  const g = new Graph(spec.name ?? 'eval_step');
  const x = g.input('x', spec.input.shape, spec.input.dtype ?? 'f32');
  const pred = spec.build(x, 'eval').named('pred');
  g.output('pred', pred);
  if (spec.target && spec.loss) {
    const y = g.input('y', spec.target.shape, spec.target.dtype ?? 'f32');
    g.output('loss', spec.loss(pred, y));
  }
  return g;
}

/** The trainable weight matrices/kernels (params named `*.W`), for penalties. */
export function weightsOf(g: Graph): Node[] {
  return [...g.params.values()]
    .filter((p) => p.trainable && p.name.endsWith('.W'))
    .map((p) => p.node);
}

/**
 * Copy into `to` every param it shares with `from` (e.g. train → eval executable). Each param of
 * `to` must exist in `from` with the same shape; optimizer state `to` lacks is ignored.
 */
export function copyParams(from: Executable, to: Executable): void {
  const values: Record<string, Float32Array> = {};
  for (const [name, spec] of to.graph.params) {
    const src = from.graph.params.get(name);
    if (!src) {
      throw new GraphError(
        'param',
        `copyParams: '${name}' ${fmtShape(spec.node.shape)} is not a param of the source graph`,
      );
    }
    if (!sameShape(src.node.shape, spec.node.shape)) {
      throw new GraphError(
        'param',
        `copyParams: '${name}' has shape ${fmtShape(src.node.shape)} in the source but ${fmtShape(spec.node.shape)} in the target`,
      );
    }
    values[name] = from.params[name]!;
  }
  to.setParams(values);
}
