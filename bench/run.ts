// `npm run bench [-- W1 W3 gradc-ts tfjs-wasm]`: every selected workload × implementation,
// interleaved over repetitions; prints tables and writes bench/results/latest.{json,md}.
// BENCH_QUICK=1 for small sizes; BENCH_REPS=n repetitions; BENCH_OUT=name writes <name>.{json,md}.
// G1 (the GPT workload, bench/g1.ts) runs after W1–W5 in a full run, or alone with `G1`
// (`npx tsx bench/run.ts G1 [impls…]`), and writes bench/results/g1.{json,md} (<BENCH_OUT>-g1 when set).
// W2T / W3T run W2 / W3 in headless Chromium with threads (bench/browser/: gradc 1 and 2 threads,
// jax-js with and without its worker pool), only when named; bench/results/browser.{json,md};
// BROWSER_JAX_WORKERS=n sizes jax-js's pool (default: the cores, as jax-js itself sizes it).
import { loadavg } from 'node:os';
import { runBrowserBench } from './browser/driver.ts';
import { BROWSER_IMPLS } from './browser/protocol.ts';
import type { BrowserWorkload } from './browser/protocol.ts';
import { renderBrowser, writeBrowserReport } from './browser/report.ts';
import { environment } from './env.ts';
import { renderG1, runG1, writeG1 } from './g1.ts';
import { WORKLOADS, runBench } from './harness.ts';
import type { Workload } from './harness.ts';
import { renderText, writeReport } from './report.ts';
import type { Report } from './report.ts';
import { benchConfig } from './peers/types.ts';
import { summarize, targets } from './summary.ts';

const argv = process.argv.slice(2);
const isG1 = (a: string) => a.toUpperCase() === 'G1';
const isBrowser = (a: string) => /^W[23]T$/i.test(a);
const browser = argv.filter(isBrowser).map((a) => a.toUpperCase().slice(0, 2) as BrowserWorkload);
const args = argv.filter((a) => !isG1(a) && !isBrowser(a));
const isWorkload = (a: string): a is Workload =>
  (WORKLOADS as readonly string[]).includes(a.toUpperCase());
const workloads = args.filter(isWorkload).map((a) => a.toUpperCase() as Workload);
const only = args.filter((a) => !isWorkload(a) && !a.startsWith('--'));
const cfg = benchConfig();
const reps = Number(process.env['BENCH_REPS'] ?? (cfg.quick ? 1 : 3));

// `G1` alone runs only G1; no workload named runs everything, G1 included.
// W2T / W3T alone run only the browser bench.
const named = argv.some(isG1) || browser.length > 0;
const runW = !named || workloads.length > 0;
const runG = argv.some(isG1) || (workloads.length === 0 && browser.length === 0);
const results = new URL('./results/', import.meta.url);
if (runW) await runWorkloads();
if (browser.length) await runBrowser();
if (runG) {
  const g1 = await runG1({ quick: cfg.quick, only, log: (l) => console.log(l) });
  console.log('\n' + renderG1(g1));
  const name = process.env['BENCH_OUT'] ? `${process.env['BENCH_OUT']}-g1` : 'g1';
  writeG1(g1, results, name);
  console.log(`wrote bench/results/${name}.json and ${name}.md`);
}
process.exit(0); // Dawn keeps the event loop alive

async function runWorkloads(): Promise<void> {
  const env = await environment();
  console.log(
    `gradc bench (${cfg.quick ? 'quick' : 'full'}), ${reps} repetitions, load ${env.loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const outcome = await runBench({
    cfg,
    workloads: workloads.length ? workloads : WORKLOADS,
    only,
    reps,
    log: (l) => console.log(l),
  });
  env.loadAfter = loadavg();
  const figures = summarize(outcome);
  const report: Report = {
    env,
    quick: cfg.quick,
    reps,
    impls: outcome.impls.map((i) => ({
      name: i.peer.name,
      version: i.version,
      notes: i.notes,
      ...(i.unavailable ? { unavailable: i.unavailable } : {}),
    })),
    figures,
    targets: targets(figures),
  };
  console.log('\n' + renderText(report));
  const out = process.env['BENCH_OUT'] ?? 'latest';
  writeReport(report, results, out);
  console.log(`\nwrote bench/results/${out}.json and ${out}.md`);
}

async function runBrowser(): Promise<void> {
  const load = [loadavg()];
  const impls = BROWSER_IMPLS.filter((i) => !only.length || only.some((s) => i.includes(s)));
  const log = (l: string) => console.log(l);
  const workers = process.env['BROWSER_JAX_WORKERS']; // default: the browser's core count
  const jaxWorkers = workers ? Number(workers) : undefined;
  const outcome = await runBrowserBench({ cfg, reps, workloads: browser, impls, jaxWorkers }, log);
  load.push(loadavg());
  console.log('\n' + renderBrowser(outcome, false, load));
  const name = process.env['BENCH_OUT'] ? `${process.env['BENCH_OUT']}-browser` : 'browser';
  writeBrowserReport(outcome, results, name, load);
  console.log(`wrote bench/results/${name}.json and ${name}.md`);
  if (outcome.state.error) throw new Error(`browser bench: ${outcome.state.error}`);
}
