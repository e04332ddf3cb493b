// Builds the browser bench into bench/browser/gen/: gradc's W2 and W3 modules at 1 and 2 threads
// (emitTs, the TypeScript `gradc compile --target ts --threads N` writes) bundled to JavaScript,
// the W2 training batches (data.bin), the plan, and the page's bundles: the page, the gradc
// worker, and jax-js twice (with its worker pool, and with `Worker` defined away: one thread).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { emitTs } from '../../src/pipeline.ts';
import { heMlpParams, loadMnist } from '../data.ts';
import { w2Graph, w3Graph } from '../gradc-graphs.ts';
import type { BenchConfig } from '../peers/types.ts';
import { GRADC_THREADS, moduleName } from './protocol.ts';
import type { BrowserImpl, BrowserPlan, BrowserWorkload } from './protocol.ts';

export const DIR = fileURLToPath(new URL('.', import.meta.url));
export const GEN = `${DIR}gen/`;

/** The node: modules the shared bench code imports, as a page has them. */
const BROWSER_NODE: Record<string, string> = {
  // data.ts loads MNIST through require: the page gets its digits from data.bin instead.
  'node:module': `export function createRequire() { throw new Error('no require in a page'); }`,
  'node:perf_hooks': 'export const performance = globalThis.performance;',
};

const nodeStubs: Plugin = {
  name: 'browser-node-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (a) => {
      const contents = BROWSER_NODE[a.path];
      if (contents !== undefined) return { contents, loader: 'js' };
      return { errors: [{ text: `${a.path} has no browser stand-in (bench/browser/build.ts)` }] };
    });
  },
};

async function bundle(entry: string, out: string, define: Record<string, string> = {}) {
  await build({
    entryPoints: [entry],
    outfile: `${GEN}${out}`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [nodeStubs],
    define,
    logLevel: 'warning',
  });
}

export interface BrowserBuild {
  cfg: BenchConfig;
  reps: number;
  workloads: BrowserWorkload[];
  impls: BrowserImpl[];
  /** Workers in jax-js's pool (default: this machine's cores, as the browser reports them). */
  jaxWorkers?: number;
}

export async function buildBrowserBench(o: BrowserBuild): Promise<BrowserPlan> {
  mkdirSync(GEN, { recursive: true });
  const { cfg } = o;
  const sizes = heMlpParams().sizes;
  for (const w of o.workloads) {
    for (const threads of new Set(Object.values(GRADC_THREADS))) {
      const g = w === 'W2' ? w2Graph(sizes, cfg.w2) : w3Graph(cfg.w3.n);
      const { source } = await emitTs(g, { threads, format: false });
      const name = moduleName(w, threads);
      writeFileSync(`${GEN}${name}.ts`, source);
      await bundle(`${GEN}${name}.ts`, `${name}.js`);
    }
  }
  // The samples W2's timed steps use, in the order bench/gradc.ts feeds them (w2BatchStart).
  const count = (cfg.w2.warmup + cfg.w2.steps) * cfg.w2.batch;
  const { train } = loadMnist(count, 0);
  writeFileSync(
    `${GEN}data.bin`,
    Buffer.concat([train.x, train.y].map((a) => Buffer.from(a.buffer))),
  );
  const jaxWorkers = o.jaxWorkers ?? availableParallelism();
  const plan: BrowserPlan = {
    quick: cfg.quick,
    reps: o.reps,
    workloads: o.workloads,
    impls: o.impls,
    w2: cfg.w2,
    w3: cfg.w3,
    sizes,
    jaxWorkers,
    count,
  };
  writeFileSync(`${GEN}plan.json`, JSON.stringify(plan, null, 2));
  await bundle(`${DIR}page.ts`, 'page.js');
  await bundle(`${DIR}gradc-worker.ts`, 'gradc-worker.js');
  const entry = `${DIR}jax-entry.ts`;
  await bundle(entry, 'jax-pool.js', { 'navigator.hardwareConcurrency': String(jaxWorkers) });
  await bundle(entry, 'jax-single.js', { Worker: 'undefined' });
  return plan;
}
