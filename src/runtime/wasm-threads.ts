// Worker threads for a generated TS module's wasm kernels (compile option `threads`): the large
// matmuls run their product on this thread and plan.threads − 1 Node worker threads over one
// shared WebAssembly memory, each thread taking its share of the B panels (codegen/wasm/matmul.ts);
// the epilogue runs here after all shares are done. Workers wait on Atomics. Generated modules
// embed this file's text (codegen/ts/threads-build.ts), so it imports nothing, and a worker runs
// the source text of `workerMain`, which therefore uses no module-level value.

/** What the module's threads share: which kernels are split, and how their parts are named. */
export interface ThreadPlan {
  /** Threads sharing each split matmul: this one and threads − 1 workers. */
  readonly threads: number;
  /** The split matmuls' kernel names. */
  readonly split: readonly string[];
  /** The wasm module's function imports (a product calls none of them). */
  readonly imports: readonly string[];
  /** Suffixes of a split kernel's product(t, nt) and epilogue() exports. */
  readonly product: string;
  readonly epilogue: string;
}

/** The WebAssembly API a worker uses, typed here so the file checks under any lib. */
interface ThreadWasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { readonly exports: object };
}

/** Node's worker_threads, reached without an import so that the module stays self-contained. */
interface WorkerHandle {
  unref(): void;
  terminate(): unknown;
}
interface WorkerData {
  readonly bytes: Uint8Array;
  readonly memory: object;
  /** Per worker t, at 4·(t − 1): [request, kernel, done] (done < 0: the request failed). */
  readonly control: Int32Array;
  readonly imports: readonly string[];
  readonly products: readonly string[];
  /** This worker's share t of nt. */
  readonly t: number;
  readonly nt: number;
}
interface ThreadsApi {
  Worker: new (code: string, options: { eval: true; workerData: WorkerData }) => WorkerHandle;
  readonly workerData: WorkerData;
}
type Host = { process?: { getBuiltinModule?(id: string): ThreadsApi | undefined } };
/** A split matmul's share of its product. */
type Product = (t: number, nt: number) => void;

/**
 * A worker thread's whole program: the same kernels over the shared memory; on each request, its
 * share of one split matmul's product.
 */
export function workerMain(): void {
  const g = globalThis as unknown as { WebAssembly: ThreadWasmApi } & Host;
  const d = g.process!.getBuiltinModule!('node:worker_threads')!.workerData;
  const env: Record<string, unknown> = { memory: d.memory };
  for (const name of d.imports) env[name] = Math.exp; // never called: a product calls no import
  const module = new g.WebAssembly.Module(d.bytes);
  const kernels = new g.WebAssembly.Instance(module, { env }).exports as Record<string, Product>;
  const [c, at] = [d.control, 4 * (d.t - 1)];
  for (let seen = 0; ;) {
    Atomics.wait(c, at, seen);
    seen = Atomics.load(c, at);
    try {
      kernels[d.products[c[at + 1]!]!]!(d.t, d.nt);
      Atomics.store(c, at + 2, seen);
    } catch {
      Atomics.store(c, at + 2, -seen);
    }
    Atomics.notify(c, at + 2);
  }
}

/** The split matmuls as functions that share their product with the workers, and a stop. */
export interface Workers {
  readonly kernels: Record<string, () => void>;
  stop(): void;
}

/**
 * Start plan.threads − 1 workers over `memory` (shared) and the module `bytes`, or null where
 * worker threads are unavailable (browsers: one thread). `kernels` are this thread's exports.
 */
export function startWorkers(
  plan: ThreadPlan,
  bytes: Uint8Array,
  memory: object,
  kernels: Record<string, unknown>,
): Workers | null {
  const host = globalThis as unknown as Host;
  const api = host.process?.getBuiltinModule?.('node:worker_threads');
  const n = plan.threads;
  if (!api || n < 2) return null;
  const control = new Int32Array(new SharedArrayBuffer(16 * (n - 1)));
  const products = plan.split.map((k) => k + plan.product);
  const workers: WorkerHandle[] = [];
  for (let t = 1; t < n; t++) {
    const workerData = { bytes, memory, control, imports: plan.imports, products, t, nt: n };
    const worker = new api.Worker(`(${workerMain.toString()})()`, { eval: true, workerData });
    worker.unref(); // an idle worker does not keep the process alive
    workers.push(worker);
  }
  let request = 0;
  const split = (i: number): (() => void) => {
    const product = kernels[products[i]!] as Product;
    const epilogue = kernels[plan.split[i] + plan.epilogue] as () => void;
    return () => {
      request++;
      for (let at = 0; at < control.length; at += 4) {
        control[at + 1] = i;
        Atomics.store(control, at, request);
        Atomics.notify(control, at);
      }
      product(0, n);
      for (let at = 0; at < control.length; at += 4) {
        let done = Atomics.load(control, at + 2);
        for (; done !== request && done !== -request; done = Atomics.load(control, at + 2))
          Atomics.wait(control, at + 2, done);
        if (done < 0) throw new Error(`worker ${at / 4 + 1} failed in ${plan.split[i]}`);
      }
      epilogue();
    };
  };
  return {
    kernels: Object.fromEntries(plan.split.map((k, i) => [k, split(i)])),
    stop: () => workers.forEach((worker) => worker.terminate()),
  };
}
