// `npm run bench [-- W1 W3 gradc-ts tfjs-wasm]`: every selected workload × implementation,
// interleaved over repetitions; prints tables and writes bench/results/latest.{json,md}.
// BENCH_QUICK=1 for small sizes; BENCH_REPS=n repetitions; BENCH_OUT=name writes <name>.{json,md}.
import { loadavg } from 'node:os';
import { environment } from './env.ts';
import { WORKLOADS, runBench } from './harness.ts';
import type { Workload } from './harness.ts';
import { renderText, writeReport } from './report.ts';
import type { Report } from './report.ts';
import { benchConfig } from './peers/types.ts';
import { summarize, targets } from './summary.ts';

const args = process.argv.slice(2);
const isWorkload = (a: string): a is Workload =>
  (WORKLOADS as readonly string[]).includes(a.toUpperCase());
const workloads = args.filter(isWorkload).map((a) => a.toUpperCase() as Workload);
const only = args.filter((a) => !isWorkload(a) && !a.startsWith('--'));
const cfg = benchConfig();
const reps = Number(process.env['BENCH_REPS'] ?? (cfg.quick ? 1 : 3));

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
writeReport(report, new URL('./results/', import.meta.url), out);
console.log(`\nwrote bench/results/${out}.json and ${out}.md`);
process.exit(0); // Dawn keeps the event loop alive
