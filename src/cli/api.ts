// The CLI's programmatic API: compileToFiles(model file or Graph, opts) does what `gradc compile`
// does — build, emit, write atomically — and returns what it did; plus the model-file contract.
import { relative, resolve } from 'node:path';
import type { Graph } from '../ir/graph.ts';
import type { FileTarget } from '../pipeline.ts';
import { emitFiles } from '../pipeline.ts';
import type { Program } from '../schedule/kernel.ts';
import type { ModelMode } from './contract.ts';
import { loadModel } from './load.ts';
import { gradcVersion } from './version.ts';
import { writeFilesAtomic } from './write.ts';

export type { ModelExport, ModelFn, ModelMode, ModelOptions, TrainSetup } from './contract.ts';
export { loadModel } from './load.ts';
export type { LoadOptions, Model } from './load.ts';
export { CliError } from './errors.ts';
export { formatCompileSummary } from './summary.ts';

export interface CompileToFilesOptions {
  readonly target?: FileTarget;
  /** Output directory (default 'gen'); created if missing. */
  readonly out?: string;
  readonly mode?: ModelMode;
  readonly batch?: number;
  /** Type-check a model file before loading it (default true). */
  readonly typecheck?: boolean;
  /** The model file a Graph came from, named in the generated header. */
  readonly modelFile?: string;
}

export interface CompileToFilesResult {
  readonly graph: Graph;
  readonly program: Program;
  readonly target: FileTarget;
  readonly entry: 'step' | 'run';
  /** Absolute paths of the files written. */
  readonly files: readonly string[];
  /** Milliseconds from graph to emitted text (excluding loading the model and writing). */
  readonly compileMs: number;
}

export async function compileToFiles(
  model: string | Graph,
  opts: CompileToFilesOptions = {},
): Promise<CompileToFilesResult> {
  const target = opts.target ?? 'ts';
  const graph =
    typeof model === 'string'
      ? await (await loadModel(model, opts)).build(opts.mode ?? 'infer', opts.batch)
      : model;
  const file = typeof model === 'string' ? model : opts.modelFile;
  // Which gradc wrote the files, from which model: both stable, so output stays byte-identical.
  const header = [
    `gradc ${gradcVersion()}${file ? `, model ${relative(process.cwd(), resolve(file))}` : ''}`,
  ];
  const t0 = performance.now();
  const emitted = await emitFiles(graph, { target, header });
  const compileMs = performance.now() - t0;
  const files = await writeFilesAtomic(opts.out ?? 'gen', emitted.files);
  return { graph, program: emitted.program, target, entry: emitted.entry, files, compileMs };
}
