// Flags and helpers shared by the commands: the model-building flags and loading with them.
import type { Graph } from '../index.ts';
import type { Parsed } from './args.ts';
import { bool, positiveInt, str } from './args.ts';
import type { ModelMode } from './contract.ts';
import type { Model } from './load.ts';
import { loadModel } from './load.ts';
import { UsageError } from './errors.ts';
import { relative } from 'node:path';

export interface Loaded {
  readonly model: Model;
  readonly graph: Graph;
  readonly mode: ModelMode;
}

/** Load the model named by the first positional and build its graph in the --mode given. */
export async function loadFromArgs(p: Parsed, command: string, mode?: ModelMode): Promise<Loaded> {
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
