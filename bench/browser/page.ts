// The browser bench's page (main thread): W2 and W3, interleaved over repetitions, for gradc's
// generated modules at 1 and 2 threads (run in a dedicated Worker, gradc-worker.ts) and for
// jax-js's wasm backend single-threaded and with its worker pool (run here, as jax-js is used).
// It publishes its progress as globalThis.browserBench for the driver (driver.ts).
import { CLASSES, PIXELS, heMlpParams, matmulInput } from '../data.ts';
import type { Mnist } from '../data.ts';
import type { W2Result, W3Result } from '../peers/types.ts';
import { GRADC_THREADS } from './protocol.ts';
import type { BrowserImpl, BrowserPlan, BrowserRun, FromGradc, PageState } from './protocol.ts';
import type { ToGradc } from './protocol.ts';

type Jax = typeof import('./jax-entry.ts');

const state: PageState = { done: false, runs: [] };
(globalThis as { browserBench?: PageState }).browserBench = state;

const here = (file: string) => new URL(file, import.meta.url).href;

/** The gradc worker as request → reply. */
function gradcWorker(): (m: ToGradc) => Promise<FromGradc> {
  const worker = new Worker(here('./gradc-worker.js'), { type: 'module' });
  return (m) =>
    new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromGradc>) =>
        e.data.type === 'error' ? reject(new Error(e.data.message)) : resolve(e.data);
      worker.onerror = (e) => reject(new Error(`gradc worker: ${e.message}`));
      worker.postMessage(m);
    });
}

async function main(): Promise<void> {
  const plan = (await (await fetch(here('./plan.json'))).json()) as BrowserPlan;
  const bytes = await (await fetch(here('./data.bin'))).arrayBuffer();
  state.env = {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
  };
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated (COOP/COEP)');
  const gradc = gradcWorker();
  await gradc({ type: 'init', plan, data: bytes.slice(0) });
  if (new URLSearchParams(location.search).has('check')) {
    const reply = await gradc({ type: 'check', steps: 3 });
    if (reply.type === 'checked') state.check = reply.check;
    return;
  }
  const jax: Record<'single' | 'pool', Jax> = {
    single: (await import(here('./jax-single.js'))) as Jax,
    pool: (await import(here('./jax-pool.js'))) as Jax,
  };
  const { count } = plan;
  const x = new Float32Array(bytes, 0, count * PIXELS);
  const y = new Float32Array(bytes, count * PIXELS * 4, count * CLASSES);
  const train = { count, x, y, labels: new Uint8Array(count) };
  const data: Mnist = { train, test: train }; // W2 reads only train
  const initial = heMlpParams(plan.sizes);
  const w3 = matmulInput(plan.w3.n);

  const runJax = async (impl: BrowserImpl, w: BrowserRun['workload'], rep: number) => {
    const pool = impl === 'jax-js-wasm-workers';
    const j = pool ? jax.pool : jax.single;
    await j.init('wasm');
    j.defaultDevice('wasm');
    const threads = pool ? plan.jaxWorkers : 1;
    if (w === 'W2') {
      const r: W2Result = await j.jaxW2(data, initial, plan.w2);
      return { impl, workload: w, rep, ms: r.msPerStep, finalLoss: r.finalLoss, threads };
    }
    const r: W3Result = await j.jaxW3(w3, plan.w3);
    return { impl, workload: w, rep, ms: r.ms, gflops: r.gflops, check: r.check, threads };
  };

  for (let rep = 0; rep < plan.reps; rep++) {
    for (const workload of plan.workloads) {
      for (const impl of plan.impls) {
        let run: BrowserRun;
        if (GRADC_THREADS[impl] !== undefined) {
          const reply = await gradc({ type: 'run', impl, workload, rep });
          if (reply.type !== 'result') throw new Error(`gradc worker replied ${reply.type}`);
          run = reply.run;
        } else {
          run = await runJax(impl, workload, rep);
        }
        state.runs.push(run);
        console.log(`rep ${rep + 1}/${plan.reps} ${workload} ${impl}: ${run.ms.toFixed(2)} ms`);
      }
    }
  }
}

main().then(
  () => (state.done = true),
  (e: unknown) => {
    state.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    state.done = true;
  },
);
