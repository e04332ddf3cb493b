// `gradc compile <model.ts> --target ts|wgsl`: write the generated module(s), print a summary.
import type { Parsed } from './args.ts';
import { bool, positiveInt, str } from './args.ts';
import { compileToFiles, formatCompileSummary } from './api.ts';
import type { FileTarget, WasmSetting } from '../internal.ts';
import type { Io } from './common.ts';
import { startFromArgs } from './common.ts';

export async function runCompile(p: Parsed, io: Io): Promise<number> {
  // The model's type check goes on while the graph compiles; it must pass before files are written.
  const { graph, model } = await startFromArgs(p, 'compile');
  const target = str(p, 'target') as FileTarget;
  const res = await compileToFiles(graph, {
    target,
    out: str(p, 'out'),
    modelFile: model.file,
    protect: [model.file],
    ready: model.typecheck,
    checkNumerics: bool(p, 'check-numerics'),
    wasm: str(p, 'wasm') as WasmSetting,
    threads: positiveInt(p, 'compile', 'threads'),
  });
  io.out(formatCompileSummary(res, bool(p, 'explain-fusion')));
  return 0;
}
