// A page's main thread running the worker-thread runtime (bundled for test/bench/browser-threads):
// the tiny split kernel (threads-module.ts, under 4 KB, so the main thread may compile it) shared
// with two Web Workers; the main thread cannot Atomics.wait, so it spins while they finish.
import { startWorkers } from '../../src/runtime/wasm-threads.ts';
import { TINY_PLAN } from './threads-module.ts';

export interface SpinPage {
  done: boolean;
  error?: string;
  /** Whether this thread may block in Atomics.wait (a page's main thread may not). */
  canWait?: boolean;
  /** [i32 0..2, i32 8] after a call before the workers started, and after they did. */
  before?: number[];
  after?: number[];
  running?: number;
}

const state: SpinPage = { done: false };
(globalThis as { spinPage?: SpinPage }).spinPage = state;

async function main(): Promise<void> {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    state.canWait = true;
  } catch {
    state.canWait = false;
  }
  const bytes = new Uint8Array(await (await fetch('./tiny.wasm')).arrayBuffer());
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const workers = startWorkers(TINY_PLAN, bytes, memory, { ...instance.exports })!;
  const words = new Int32Array(memory.buffer);
  const call = () => {
    words.fill(0, 0, 9);
    workers.kernels['k']!();
    return [...words.subarray(0, 3), words[8]!];
  };
  state.before = call();
  for (let i = 0; i < 1000 && workers.running() < 2; i++)
    await new Promise((r) => setTimeout(r, 10));
  state.running = workers.running();
  state.after = call();
  workers.stop();
}

main().then(
  () => (state.done = true),
  (e: unknown) => {
    state.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    state.done = true;
  },
);
