// The CLI's programmatic API: compileToFiles(model file or Graph, opts) does what `gradc compile`
// does — build, emit, write atomically — and returns what it did; plus the model-file contract.
import { join, relative, resolve } from 'node:path';
import type { Graph } from '../index.ts';
import { emitFiles } from '../internal.ts';
import type { FileTarget, Program, WasmSetting } from '../internal.ts';
import type { ModelMode } from './contract.ts';
import { CliError } from './errors.ts';
import { loadModel } from './load.ts';
import { checkReplaceable } from './guard.ts';
import { gradcVersion } from './version.ts';
import { makeDir, reason, writeFilesAtomic } from './write.ts';

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
  /** Emit the numerics guard (a finiteness check after every kernel; TS target). */
  readonly checkNumerics?: boolean;
  /** TS target: WebAssembly SIMD kernels ('auto' by default) and threads per large matmul. */
  readonly wasm?: WasmSetting;
  readonly threads?: number;
  /** Files never to overwrite (the model file; added automatically when `model` is a path). */
  readonly protect?: readonly string[];
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
  const outDir = opts.out ?? 'gen';
  // The output directory first: a bad --out fails before any work.
  await makeDir(resolve(outDir)).catch((e: unknown) => {
    throw new CliError(`cannot write to output directory '${outDir}': ${reason(e)}`);
  });
  const protect = [...(opts.protect ?? []), ...(typeof model === 'string' ? [model] : [])];
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
  const { checkNumerics, wasm, threads } = opts;
  const emitted = await emitFiles(graph, { target, header, checkNumerics, wasm, threads });
  const compileMs = performance.now() - t0;
  for (const f of emitted.files) checkReplaceable(join(outDir, f.path), 'text', protect);
  const files = await writeFilesAtomic(outDir, emitted.files);
  return { graph, program: emitted.program, target, entry: emitted.entry, files, compileMs };
}
