// Worker threads for the TS module's wasm kernels (compile option `threads`): a threaded module
// declares its thread plan (which matmuls are split, how many threads) and embeds the worker
// runtime, src/runtime/wasm-threads.ts, as text (codegen/ts/threads-source.ts, written by
// threads-build.ts), TypeScript or JavaScript as the module is; the module stays one file.
import type { CodeBlockWriter } from 'ts-morph';
import { EPILOGUE, PRODUCT } from '../wasm/module.ts';
import type { WasmModule } from '../wasm/module.ts';
import { quote } from '../names.ts';
import type { Typed } from './simd.ts';
import { THREADS_JS, THREADS_TS } from './threads-source.ts';

/** Module-level names the threaded code declares (no user name may take them). */
const TYPE_NAMES = [
  'ThreadPlan',
  'ThreadWasmApi',
  'WorkerHandle',
  'WorkerData',
  'ThreadsApi',
  'WebApi',
  'Spawner',
  'Host',
  'Product',
  'Workers',
];
const VALUE_NAMES = ['THREAD_PLAN', 'workerMain', 'spawner', 'waiter', 'startWorkers', 'workers'];
export const THREAD_NAMES = [...TYPE_NAMES, ...VALUE_NAMES, 'shared'];

/** Declarations of a threaded module: its thread plan, then the embedded worker runtime. */
export function writeThreadDeclarations(
  w: CodeBlockWriter,
  wasm: WasmModule,
  exportName: (kernel: string) => string,
  t: Typed,
): void {
  const list = (names: readonly string[]) => `[${names.map(quote).join(', ')}]`;
  w.writeLine('/** Threads that share each large matmul, and the matmuls split across them. */');
  w.write(`const THREAD_PLAN${t(': ThreadPlan')} = `).inlineBlock(() => {
    w.writeLine(`threads: ${wasm.threads},`);
    w.writeLine(`split: ${list([...wasm.split].map(exportName))},`);
    w.writeLine(`imports: ${list(wasm.imports)},`);
    w.writeLine(`product: ${quote(PRODUCT)},`);
    w.writeLine(`epilogue: ${quote(EPILOGUE)},`);
  });
  w.write(';').newLine();
  w.blankLine();
  w.writeLine(t('ts') ? THREADS_TS : THREADS_JS);
}
