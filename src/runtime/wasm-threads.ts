// Worker threads for a generated TS module's wasm kernels (compile option `threads`): the large
// matmuls run their product on this thread and plan.threads − 1 workers over one shared
// WebAssembly memory, each thread taking its share of the B panels (codegen/wasm/matmul.ts); the
// epilogue runs here after all shares are done. Workers are Node worker threads, or in a browser
// Web Workers from a Blob URL (a cross-origin-isolated page: shared memory needs it). Workers wait
// on Atomics. Generated modules embed this file's text (codegen/ts/threads-build.ts), so it imports
// nothing, and a worker runs the source text of `workerMain`, which uses no module-level value.

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

/** A Node worker thread or a Web Worker, reached without an import (the module stays alone). */
interface WorkerHandle {
  unref?(): void;
  terminate(): unknown;
  postMessage?(data: WorkerData): void;
}
/** What each worker is given (exported for workerMain's signature). */
export interface WorkerData {
  readonly bytes: Uint8Array;
  readonly memory: object;
  /**
   * Per worker t, at 4·(t − 1): [request, kernel, done, ready] (done < 0: the request failed;
   * ready = 1 once the worker waits for requests).
   */
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
/** The browser globals a Web Worker needs (a page's or a worker's). */
interface WebApi {
  Worker: new (url: string) => WorkerHandle;
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
}
type Host = { process?: { getBuiltinModule?(id: string): ThreadsApi | undefined } };
/** A split matmul's share of its product. */
type Product = (t: number, nt: number) => void;

/**
 * A worker's whole program: the same kernels over the shared memory; on each request, its share
 * of one split matmul's product. Node hands it its data as workerData, a browser as one message.
 * It defines no named function inside: esbuild's keepNames (tsx) would wrap one in a `__name`
 * call, a module-level helper the worker does not have.
 */
export function workerMain(data?: WorkerData): void {
  const g = globalThis as unknown as { WebAssembly: ThreadWasmApi } & Host & {
      onmessage: ((e: { data: WorkerData }) => void) | null;
    };
  const d = data ?? g.process?.getBuiltinModule?.('node:worker_threads')?.workerData;
  if (!d) {
    g.onmessage = (e) => workerMain(e.data); // a browser's worker: the data is the first message
    return;
  }
  const env: Record<string, unknown> = { memory: d.memory };
  for (const name of d.imports) env[name] = Math.exp; // never called: a product calls no import
  const module = new g.WebAssembly.Module(d.bytes);
  const kernels = new g.WebAssembly.Instance(module, { env }).exports as Record<string, Product>;
  const [c, at] = [d.control, 4 * (d.t - 1)];
  // Requests come only once ready is 1, so `seen` is the last request this worker was sent.
  let seen = Atomics.load(c, at);
  Atomics.store(c, at + 3, 1);
  for (;;) {
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
  /** Workers that have started and take their share (until then this thread does it). */
  running(): number;
  stop(): void;
}

/** Starts workers: Node's worker threads or a browser's Web Workers; null where neither exists. */
interface Spawner {
  start(data: WorkerData): WorkerHandle;
  /** Frees what starting needed (a browser's Blob URL). */
  release(): void;
}

function spawner(code: string): Spawner | null {
  const node = (globalThis as unknown as Host).process?.getBuiltinModule?.('node:worker_threads');
  if (node) {
    const start = (workerData: WorkerData) => {
      const worker = new node.Worker(code, { eval: true, workerData });
      worker.unref!(); // an idle worker does not keep the process alive
      return worker;
    };
    return { start, release: () => {} };
  }
  const web = globalThis as unknown as Partial<WebApi>;
  if (!web.Worker || !web.Blob || !web.URL?.createObjectURL) return null;
  const url = web.URL.createObjectURL(new web.Blob([code], { type: 'text/javascript' }));
  const start = (data: WorkerData) => {
    const worker = new web.Worker!(url);
    worker.postMessage!(data); // the shared memory and control words go across as they are
    return worker;
  };
  return { start, release: () => web.URL!.revokeObjectURL(url) };
}

/**
 * A browser page's main thread may not block: there Atomics.wait throws, and this thread spins on
 * Atomics.load instead (a page compiles a module over 4 KB only asynchronously, so a generated
 * threaded module runs its wasm in a dedicated Worker, where waiting is allowed).
 */
function waiter(control: Int32Array): (at: number, value: number) => void {
  try {
    Atomics.wait(control, 0, -1, 0); // not equal: returns at once where waiting is allowed
    return (at, value) => Atomics.wait(control, at, value);
  } catch {
    return (at, value) => {
      while (Atomics.load(control, at) === value);
    };
  }
}

/**
 * Start plan.threads − 1 workers over `memory` (shared) and the module `bytes`, or null where
 * there are no workers (one thread). `kernels` are this thread's exports. A worker that has not
 * started yet (a browser starts it asynchronously) has its share done by this thread.
 */
export function startWorkers(
  plan: ThreadPlan,
  bytes: Uint8Array,
  memory: object,
  kernels: Record<string, unknown>,
): Workers | null {
  const n = plan.threads;
  const spawn = n < 2 ? null : spawner(`(${workerMain.toString()})()`);
  if (!spawn) return null;
  const control = new Int32Array(new SharedArrayBuffer(16 * (n - 1)));
  const products = plan.split.map((k) => k + plan.product);
  const workers: WorkerHandle[] = [];
  for (let t = 1; t < n; t++) {
    workers.push(
      spawn.start({ bytes, memory, control, imports: plan.imports, products, t, nt: n }),
    );
  }
  const wait = waiter(control);
  const ready = (t: number) => Atomics.load(control, 4 * (t - 1) + 3) === 1;
  let request = 0;
  const split = (i: number): (() => void) => {
    const product = kernels[products[i]!] as Product;
    const epilogue = kernels[plan.split[i] + plan.epilogue] as () => void;
    return () => {
      request++;
      const sent: number[] = [];
      for (let t = 1; t < n; t++) {
        if (!ready(t)) continue;
        const at = 4 * (t - 1);
        control[at + 1] = i;
        Atomics.store(control, at, request);
        Atomics.notify(control, at);
        sent.push(t);
      }
      product(0, n);
      for (let t = 1; t < n; t++) if (!sent.includes(t)) product(t, n);
      for (const t of sent) {
        const at = 4 * (t - 1) + 2;
        let done = Atomics.load(control, at);
        for (; done !== request && done !== -request; done = Atomics.load(control, at))
          wait(at, done);
        if (done < 0) throw new Error(`worker ${t} failed in ${plan.split[i]}`);
      }
      epilogue();
    };
  };
  return {
    kernels: Object.fromEntries(plan.split.map((k, i) => [k, split(i)])),
    running: () => workers.filter((_, t) => ready(t + 1)).length,
    stop: () => {
      workers.forEach((worker) => worker.terminate());
      spawn.release();
    },
  };
}
