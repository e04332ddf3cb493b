// Worker threads for the TS module's wasm kernels (compile option `threads`): the large matmuls
// run their product on this thread and THREADS − 1 Node worker threads over one shared
// WebAssembly memory, each thread taking its share of the B panels (codegen/wasm/matmul.ts); the
// epilogue runs here after all shares are done. Workers wait on Atomics; the module stays one
// file (a worker runs the source text of `workerMain`, written below as ordinary TypeScript).
import type { CodeBlockWriter } from 'ts-morph';
import { EPILOGUE, PRODUCT } from '../wasm/module.ts';
import type { WasmModule } from '../wasm/module.ts';
import { quote } from '../names.ts';
import type { Typed } from './simd.ts';

/** Module-level names the threaded code declares (no user name may take them). */
const TYPE_NAMES = ['WorkerHandle', 'WorkerData', 'ThreadsApi', 'Host', 'Product'];
const VALUE_NAMES = ['THREADS', 'SPLIT', 'WASM_IMPORTS', 'workerMain', 'startWorkers', 'workers'];
export const THREAD_NAMES = [...TYPE_NAMES, ...VALUE_NAMES, 'shared'];

/** Declarations of a threaded module: the worker body and the function that starts workers. */
export function writeThreadDeclarations(
  w: CodeBlockWriter,
  wasm: WasmModule,
  exportName: (kernel: string) => string,
  t: Typed,
): void {
  const split = [...wasm.split].map((k) => quote(exportName(k)));
  w.writeLine(`/** Threads that share each large matmul (this one and THREADS − 1 workers). */`);
  w.writeLine(`const THREADS = ${wasm.threads};`);
  w.writeLine(`/** The matmuls split across the threads. */`);
  w.writeLine(`const SPLIT${t(': readonly string[]')} = [${split.join(', ')}];`);
  const imports = wasm.imports.map(quote).join(', ');
  w.writeLine(`const WASM_IMPORTS${t(': readonly string[]')} = [${imports}];`);
  w.blankLine();
  if (t('ts')) w.writeLine(TYPES);
  w.writeLine(source(t));
}

/** The types of the threaded code (TypeScript output only). */
const TYPES = `/** Node's worker_threads, reached without an import so that the module stays self-contained. */
interface WorkerHandle { unref(): void; terminate(): unknown }
interface WorkerData {
  readonly bytes: Uint8Array;
  readonly memory: WasmMemory;
  /** Per worker t, at 4·(t − 1): [request, kernel, done] (done < 0: the request failed). */
  readonly control: Int32Array;
  readonly imports: readonly string[]; readonly products: readonly string[];
  /** This worker's share t of nt. */
  readonly t: number; readonly nt: number;
}
interface ThreadsApi {
  Worker: new (code: string, options: { eval: true; workerData: WorkerData }) => WorkerHandle;
  readonly workerData: WorkerData;
}
type Host = { process?: { getBuiltinModule?(id: string): ThreadsApi | undefined } };
type Product = (t: number, nt: number) => void; // a split matmul's share of its product
`;

/** The threaded code, typed where `t` gives TypeScript (written once here, not line by line). */
const source = (t: Typed) => `/**
 * A worker thread's whole program (the worker runs this function's source text, so it uses no
 * module-level value): the same kernels over the shared memory; on each request, its share of
 * one split matmul's product.
 */
function workerMain()${t(': void')} {
  const g = globalThis${t(' as unknown as { WebAssembly: WasmApi } & Host')};
  const d = g.process${t('!')}.getBuiltinModule${t('!')}('node:worker_threads')${t('!')}.workerData;
  const env${t(': Record<string, unknown>')} = { memory: d.memory };
  for (const name of d.imports) env[name] = Math.exp; // never called: a product calls no import
  const module = new g.WebAssembly.Module(d.bytes);
  const kernels = new g.WebAssembly.Instance(module, { env }).exports${t(' as Record<string, Product>')};
  const [c, at] = [d.control, 4 * (d.t - 1)];
  for (let seen = 0; ; ) {
    Atomics.wait(c, at, seen);
    seen = Atomics.load(c, at);
    try {
      kernels[d.products[c[at + 1]${t('!')}]${t('!')}]${t('!')}(d.t, d.nt);
      Atomics.store(c, at + 2, seen);
    } catch {
      Atomics.store(c, at + 2, -seen);
    }
    Atomics.notify(c, at + 2);
  }
}

/**
 * Start THREADS − 1 workers and return the split matmuls as functions that share their product
 * with them, or null where worker threads are unavailable (browsers: one thread).
 */
function startWorkers(
  bytes${t(': Uint8Array')},
  memory${t(': WasmMemory')},
  kernels${t(': Record<string, unknown>')},
)${t(': { readonly kernels: Record<string, () => void>; stop(): void } | null')} {
  const host = globalThis${t(' as unknown as Host')};
  const api = host.process?.getBuiltinModule?.('node:worker_threads');
  if (!api || THREADS < 2) return null;
  const control = new Int32Array(new SharedArrayBuffer(16 * (THREADS - 1)));
  const products = SPLIT.map((k) => k + ${quote(PRODUCT)});
  const workers${t(': WorkerHandle[]')} = [];
  for (let t = 1; t < THREADS; t++) {
    const workerData = { bytes, memory, control, imports: WASM_IMPORTS, products, t, nt: THREADS };
    const worker = new api.Worker(\`(\${workerMain.toString()})()\`, { eval: true, workerData });
    worker.unref(); // an idle worker does not keep the process alive
    workers.push(worker);
  }
  let request = 0;
  const split = (i${t(': number')})${t(': (() => void)')} => {
    const product = kernels[products[i]${t('!')}]${t(' as Product')};
    const epilogue = kernels[SPLIT[i] + ${quote(EPILOGUE)}]${t(' as () => void')};
    return () => {
      request++;
      for (let at = 0; at < control.length; at += 4) {
        control[at + 1] = i;
        Atomics.store(control, at, request);
        Atomics.notify(control, at);
      }
      product(0, THREADS);
      for (let at = 0; at < control.length; at += 4) {
        let done = Atomics.load(control, at + 2);
        for (; done !== request && done !== -request; done = Atomics.load(control, at + 2))
          Atomics.wait(control, at + 2, done);
        if (done < 0) throw new Error(\`worker \${at / 4 + 1} failed in \${SPLIT[i]}\`);
      }
      epilogue();
    };
  };
  return {
    kernels: Object.fromEntries(SPLIT.map((k, i) => [k, split(i)])),
    stop: () => workers.forEach((worker) => worker.terminate()),
  };
}
`;
