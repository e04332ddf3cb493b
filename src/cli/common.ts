// Flags and helpers shared by the commands: the model-building flags and loading with them; and
// the backward graph `inspect --grad`, `explain` and `check` work on (an infer graph's scalar loss
// differentiated w.r.t. its trainable params, outputs grad_<param>; a train graph as it is).
import { grad } from '../index.ts';
import type { Graph, Node } from '../index.ts';
import type { Parsed } from './args.ts';
import { bool, positiveInt, str } from './args.ts';
import type { ModelMode } from './contract.ts';
import type { Model } from './load.ts';
import { loadModel } from './load.ts';
import { CliError, UsageError } from './errors.ts';
import { relative } from 'node:path';

export interface Loaded {
  readonly model: Model;
  readonly graph: Graph;
  readonly mode: ModelMode;
}

/** Load the model named by the first positional and build its graph in the --mode given. */
export async function loadFromArgs(p: Parsed, command: string, mode?: ModelMode): Promise<Loaded> {
  const loaded = await startFromArgs(p, command, mode);
  await loaded.model.typecheck;
  return loaded;
}

/** loadFromArgs without waiting for the model's type check (`model.typecheck`): the caller does. */
export async function startFromArgs(p: Parsed, command: string, mode?: ModelMode): Promise<Loaded> {
  const batch = positiveInt(p, command, 'batch');
  const model = await loadModel(p.positionals[0]!, { batch, typecheck: !bool(p, 'no-typecheck') });
  checkBatchFlag(model, batch, command);
  const m = mode ?? ((str(p, 'mode') ?? 'infer') as ModelMode);
  return { model, graph: await model.build(m), mode: m };
}

/** Where command output goes (stdout in the CLI, a buffer in tests). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

/** --batch only reaches a model function: on a model exporting a Graph it would be ignored. */
export function checkBatchFlag(model: Model, batch: number | undefined, command: string): void {
  if (batch === undefined || !model.fixed) return;
  throw new UsageError(
    `--batch ${batch} cannot apply: ${relative(process.cwd(), model.file)} exports a fixed Graph (export a function ({ batch, mode }) => Graph to take a batch size)`,
    command,
  );
}

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
