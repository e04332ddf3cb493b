// The CLI's programmatic API: compileToFiles(model file or Graph, opts) does what `gradc compile`
// does — build, emit, write atomically — and returns what it did; the report `gradc compile`
// prints (params, kernels and what each fused, the memory plan against no planning, compile time,
// with --explain-fusion the refusals); plus the model-file contract.
import { join, relative, resolve } from 'node:path';
import type { Graph } from '../index.ts';
import { emitFiles, kernelShape, kernelsOf, usePrettier } from '../internal.ts';
import type { FileTarget, Program, WasmSetting } from '../internal.ts';
import type { ModelMode } from './contract.ts';
import { CliError } from './errors.ts';
import { loadModel } from './load.ts';
import { gradcVersion, table } from './help.ts';
import { loadPrettier, saveCodeCaches } from './tsload.ts';
import { checkReplaceable, makeDir, reason, writeFilesAtomic } from './write.ts';

export type { ModelExport, ModelFn, ModelMode, ModelOptions, TrainSetup } from './contract.ts';
export { loadModel } from './load.ts';
export type { LoadOptions, Model } from './load.ts';
export { CliError } from './errors.ts';

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
  /**
   * Settled before anything is written; a rejection writes nothing (`gradc compile` passes its
   * model's type check, which runs beside the compile).
   */
  readonly ready?: Promise<void>;
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
  const loaded = typeof model === 'string' ? await loadModel(model, opts) : null;
  const graph = loaded ? await loaded.build(opts.mode ?? 'infer', opts.batch) : (model as Graph);
  const file = typeof model === 'string' ? model : opts.modelFile;
  // Which gradc wrote the files, from which model: both stable, so output stays byte-identical.
  const header = [
    `gradc ${gradcVersion()}${file ? `, model ${relative(process.cwd(), resolve(file))}` : ''}`,
  ];
  const t0 = performance.now();
  const { checkNumerics, wasm, threads } = opts;
  // The type check (running meanwhile) is the better report of a failure its error caused.
  const ready = Promise.all([opts.ready, loaded?.typecheck]);
  ready.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
  const prettier = loadPrettier();
  if (prettier) usePrettier(prettier);
  const emitted = await emitFiles(graph, { target, header, checkNumerics, wasm, threads }).catch(
    async (e: unknown) => {
      await ready;
      throw e;
    },
  );
  const compileMs = performance.now() - t0;
  await ready;
  for (const f of emitted.files) checkReplaceable(join(outDir, f.path), 'text', protect);
  const files = await writeFilesAtomic(outDir, emitted.files);
  saveCodeCaches(); // after formatting: the first run's cache holds the printer's functions
  return { graph, program: emitted.program, target, entry: emitted.entry, files, compileMs };
}

export interface SummaryInput {
  readonly graph: Graph;
  readonly program: Program;
  readonly target: string;
  readonly files: readonly string[];
  readonly compileMs: number;
}

const dims = (s: readonly number[]) => `[${s.join(',')}]`;

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function paramLines(g: Graph): string[] {
  const rows = [...g.params.values()].map((p) => [
    p.name,
    dims(p.node.shape),
    String(p.node.size),
    p.trainable ? '' : '(state)',
  ]);
  const total = [...g.params.values()].reduce((s, p) => s + p.node.size, 0);
  return [
    `params: ${g.params.size} tensors, ${total} values (${fmtBytes(total * 4)})`,
    ...table(rows).map((l) => `  ${l}`),
  ];
}

function kernelLines(p: Program, explain: boolean): string[] {
  const ks = kernelsOf(p);
  const rows = ks.map((k) => [k.name, `${k.kind} ${kernelShape(k)}`, k.ops.join(' → ')]);
  const lines = [`kernels: ${ks.length}`, ...table(rows).map((l) => `  ${l}`)];
  if (explain) {
    for (const k of ks) {
      lines.push(`  ${k.name}:`);
      for (const n of k.notes) lines.push(`    # ${n}`);
    }
    lines.push('fusion decisions:');
    const notes = p.stats.fusionNotes;
    lines.push(...(notes.length ? notes.map((n) => `  - ${n}`) : ['  (no refusals)']));
  }
  return lines;
}

export function formatCompileSummary(s: SummaryInput, explainFusion = false): string {
  const st = s.program.stats;
  const saved = st.unplannedBytes > 0 ? 100 * (1 - st.peakBytes / st.unplannedBytes) : 0;
  const lines = [
    `compiled graph '${s.graph.name}' for target ${s.target} in ${s.compileMs.toFixed(0)} ms`,
    ...paramLines(s.graph),
    ...kernelLines(s.program, explainFusion),
    `memory: peak ${fmtBytes(st.peakBytes)} of temporaries, ${fmtBytes(st.unplannedBytes)} unplanned (${saved.toFixed(0)}% saved by reuse)`,
    ...s.files.map((f) => `wrote ${relative(process.cwd(), f)}`),
  ];
  return lines.join('\n') + '\n';
}
