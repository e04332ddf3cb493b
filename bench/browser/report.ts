// The browser bench's figures (median, min–max per implementation over the interleaved
// repetitions), its ratios against jax-js with its worker pool, #18's threaded targets judged on
// them, and its section of the report (bench/results/browser.{json,md}).
import { mkdirSync, writeFileSync } from 'node:fs';
import { mdTable, textTable } from '../report.ts';
import { median } from '../peers/stats.ts';
import type { Target } from '../summary.ts';
import type { BrowserOutcome } from './driver.ts';
import type { BrowserImpl, BrowserWorkload } from './protocol.ts';

export interface BrowserFigure {
  impl: BrowserImpl;
  workload: BrowserWorkload;
  /** W2: ms/step (lower is better); W3: GFLOP/s (higher is better). */
  median: number;
  min: number;
  max: number;
  reps: number;
  threads: number;
  /** Speed against jax-js with workers (> 1: faster), on medians. */
  vsWorkers?: number;
  /** W2: the last run's final loss; W3: the matmul check. */
  note: string;
}

const PEER: BrowserImpl = 'jax-js-wasm-workers';
const TITLES: Record<BrowserWorkload, (n: number) => string> = {
  W2: () => 'W2 in Chromium: MLP 784-512-512-10, Adam, batch 128 (ms per step; lower is better)',
  W3: (n) => `W3 in Chromium: ${n}³ f32 matmul (GFLOP/s; higher is better)`,
};

export function browserFigures(o: BrowserOutcome): BrowserFigure[] {
  const out: BrowserFigure[] = [];
  for (const workload of o.plan.workloads) {
    const figs = o.plan.impls.flatMap((impl): BrowserFigure[] => {
      const runs = o.state.runs.filter((r) => r.impl === impl && r.workload === workload);
      if (!runs.length) return [];
      const xs = runs.map((r) => (workload === 'W2' ? r.ms : r.gflops!));
      const last = runs[runs.length - 1]!;
      const checks = runs.map((r) => r.check);
      const note =
        workload === 'W2'
          ? `loss ${last.finalLoss!.toFixed(4)}`
          : `${checks.every((c) => c?.ok) ? 'ok' : 'FAIL'} (${Math.max(...checks.map((c) => c?.maxRelErr ?? Infinity)).toExponential(1)})`;
      const [min, max] = [Math.min(...xs), Math.max(...xs)];
      const threads = Math.min(...runs.map((r) => r.threads));
      return [{ impl, workload, median: median(xs), min, max, reps: runs.length, threads, note }];
    });
    const peer = figs.find((f) => f.impl === PEER);
    for (const f of figs) {
      if (peer) f.vsWorkers = workload === 'W2' ? peer.median / f.median : f.median / peer.median;
    }
    out.push(...figs);
  }
  return out;
}

/** #18's targets with threads, against jax-js with workers in the same page. */
export function browserTargets(figs: BrowserFigure[]): Target[] {
  const at = (impl: BrowserImpl, w: BrowserWorkload) =>
    figs.find((f) => f.impl === impl && f.workload === w);
  const judge = (text: string, w: BrowserWorkload, ok: (r: number) => boolean): Target => {
    const [g, p] = [at('gradc-ts-2t', w), at(PEER, w)];
    if (!g || !p) return { text, verdict: 'not measured', measured: 'n/a' };
    // W2: step-time ratio (gradc / jax-js); W3: GFLOP/s ratio (gradc / jax-js).
    const r = g.median / p.median;
    const best = w === 'W2' ? g.min / p.min : g.max / p.max;
    return {
      text,
      verdict: ok(r) ? 'met' : 'missed',
      measured: `${r.toFixed(2)}× (best reps ${best.toFixed(2)}×)`,
    };
  };
  return [
    judge('W2 TS 2 threads step ≤ 0.8× jax-js with workers', 'W2', (r) => r <= 0.8),
    judge('W3 TS 2 threads ≥ 1.3× jax-js with workers GFLOP/s', 'W3', (r) => r >= 1.3),
  ];
}

function rows(figs: BrowserFigure[], w: BrowserWorkload): string[][] {
  const d = w === 'W2' ? 1 : 2;
  const head = ['impl', 'threads', w === 'W2' ? 'ms/step median' : 'GFLOP/s median', 'min–max'];
  return [
    [...head, 'reps', 'vs jax-js workers', w === 'W2' ? 'final loss' : 'check (max rel err)'],
    ...figs
      .filter((f) => f.workload === w)
      .map((f) => [
        f.impl,
        String(f.threads),
        f.median.toFixed(d),
        `${f.min.toFixed(2)}–${f.max.toFixed(2)}`,
        String(f.reps),
        f.vsWorkers === undefined ? '' : `${f.vsWorkers.toFixed(2)}×`,
        f.note,
      ]),
  ];
}

/** The report's browser section: environment, one table per workload, the targets. */
export function renderBrowser(o: BrowserOutcome, markdown: boolean, load?: number[][]): string {
  const [h, table] = markdown ? ['## ', mdTable] : ['== ', textTable];
  const figs = browserFigures(o);
  const env = o.state.env;
  const br = markdown ? '  ' : '';
  const lines = [
    `${o.browser} headless; ${env?.hardwareConcurrency ?? '?'} cores; cross-origin isolated: ${env?.crossOriginIsolated}${br}`,
    `mode: ${o.plan.quick ? 'BENCH_QUICK' : 'full'}; ${o.plan.reps} interleaved repetitions in one page; warm-up excluded${br}`,
    ...(load
      ? [
          `load average before ${load[0]!.map((v) => v.toFixed(2)).join(' ')}, after ${load[1]!.map((v) => v.toFixed(2)).join(' ')}${br}`,
        ]
      : []),
    '- gradc-ts, gradc-ts-2t: the generated TS module (wasm SIMD kernels) in a dedicated Worker; 2t: its matmuls ≥ 4M multiply-adds shared with one Web Worker',
    "- jax-js-wasm: jax-js's wasm backend on the main thread, its worker pool off (`Worker` defined away in its bundle)",
    `- jax-js-wasm-workers: the same with its worker pool (${o.plan.jaxWorkers} Web Workers, kernels dispatched to them)`,
    '',
  ];
  for (const w of o.plan.workloads)
    lines.push(`${h}${TITLES[w](o.plan.w3.n)}`, '', table(rows(figs, w)), '');
  const t = browserTargets(figs);
  lines.push(
    `${h}Threaded targets (#18)`,
    '',
    table([['target', 'measured', 'verdict'], ...t.map((x) => [x.text, x.measured, x.verdict])]),
    '',
  );
  if (o.state.error) lines.push(`page error: ${o.state.error}`, '');
  return lines.join('\n');
}

/** Writes <name>.json (the outcome and its figures) and <name>.md into dir. */
export function writeBrowserReport(
  o: BrowserOutcome,
  dir: URL,
  name: string,
  load?: number[][],
): void {
  mkdirSync(dir, { recursive: true });
  const json = {
    ...o,
    figures: browserFigures(o),
    targets: browserTargets(browserFigures(o)),
    load,
  };
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(json, null, 2) + '\n');
  const md = ['# gradc browser benchmark (threads)', '', renderBrowser(o, true, load)].join('\n');
  writeFileSync(new URL(`${name}.md`, dir), md);
}
