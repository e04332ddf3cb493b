// The worker-thread runtime (src/runtime/wasm-threads.ts) as a module of its own: threaded TS
// modules embed its current text (TypeScript or JavaScript, no imports or exports), and it runs a
// split kernel's product on every thread over one shared memory, then its epilogue here.
import { transform } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { importJs } from '../../codegen/ts/js.ts';
import { threadsText } from '../../codegen/ts/threads-build.ts';
import { THREADS_JS, THREADS_TS } from '../../codegen/ts/threads-source.ts';
import { startWorkers } from '../../src/runtime/wasm-threads.ts';
import { TINY_PLAN, tinyModule } from '../support/threads-module.ts';

const PLAN = TINY_PLAN;
const module = tinyModule;

describe('the worker-thread runtime', () => {
  it('is embedded as its current text, without imports or exports', () => {
    const text = threadsText();
    expect(THREADS_TS).toBe(text.ts);
    expect(THREADS_JS).toBe(text.js);
    for (const s of [THREADS_TS, THREADS_JS]) {
      expect(s).not.toMatch(/^\s*(import|export)\b/m);
      expect(s).toContain('function startWorkers(');
      expect(s).toContain('function workerMain(');
    }
    expect(THREADS_JS).not.toMatch(/\binterface\b|: ThreadPlan/);
  });

  it('runs each share of a split product on its own thread, then the epilogue', async () => {
    const bytes = module();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      .exports as Record<string, unknown>;
    const workers = startWorkers(PLAN, bytes, memory, exports);
    expect(workers).not.toBeNull();
    try {
      const words = new Int32Array(memory.buffer);
      workers!.kernels['k']!(); // the workers may not have started: this thread does their shares
      expect(Array.from(words.subarray(0, 3))).toEqual([10, 20, 30]);
      expect(words[8]).toBe(60);
      words.fill(0, 0, 9);
      await vi.waitFor(() => expect(workers!.running()).toBe(2), { timeout: 20_000 });
      workers!.kernels['k']!();
      expect(Array.from(words.subarray(0, 3))).toEqual([10, 20, 30]);
      expect(words[8]).toBe(60);
      words.fill(0, 0, 9);
      workers!.kernels['k']!(); // a second request reaches the same workers
      expect(Array.from(words.subarray(0, 3))).toEqual([10, 20, 30]);
    } finally {
      workers!.stop();
    }
  });

  it('runs its workers when loaded through esbuild with keepNames (as tsx loads a module)', async () => {
    // keepNames wraps named inner functions in __name(), which a worker's text does not have.
    const { code } = await transform(`${THREADS_TS}\nexport { startWorkers };`, {
      loader: 'ts',
      format: 'esm',
      keepNames: true,
    });
    const mod = await importJs<{ startWorkers: typeof startWorkers }>(code);
    const bytes = module();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      .exports as Record<string, unknown>;
    const workers = mod.startWorkers(PLAN, bytes, memory, exports)!;
    try {
      await vi.waitFor(() => expect(workers.running()).toBe(2), { timeout: 20_000 });
      workers.kernels['k']!();
      expect(Array.from(new Int32Array(memory.buffer).subarray(0, 3))).toEqual([10, 20, 30]);
    } finally {
      workers.stop();
    }
  });

  it('runs on one thread (no workers) when the plan has one', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    expect(startWorkers({ ...PLAN, threads: 1 }, module(), memory, {})).toBeNull();
  });
});
