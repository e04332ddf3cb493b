// Reduces repetitions to figures: the primary metric of each workload, median and min–max per
// implementation, ratios against the best peer, and the targets as met / missed.
import type { ScaleTime, W4Result, W5Result } from './gradc-compile.ts';
import type { AnyResult, BenchOutcome, Series, Workload } from './harness.ts';
import { median } from './peers/stats.ts';
import type { W1Result, W2Result, W3Result } from './peers/types.ts';

export interface Figure {
  impl: string;
  kind: Series['kind'];
  /** Median, min, max of the primary metric; absent when unavailable or failed. */
  median?: number;
  min?: number;
  max?: number;
  reps: number;
  /** Speed relative to the best peer (> 1: faster), for W1–W3. */
  vsBestPeer?: number;
  /** Other facts (accuracy, loss, matmul check), per workload. */
  extra: Record<string, number | string | boolean>;
  status?: string;
}

/** Primary metric of W1–W3 and whether higher is better. */
export const METRIC: Record<'W1' | 'W2' | 'W3', { name: string; higher: boolean }> = {
  W1: { name: 'samples/s', higher: true },
  W2: { name: 'ms/step', higher: false },
  W3: { name: 'GFLOP/s', higher: true },
};

function primary(w: Workload, r: AnyResult): number {
  if (w === 'W1') return (r as W1Result).samplesPerSec;
  if (w === 'W2') return (r as W2Result).msPerStep;
  if (w === 'W3') return (r as W3Result).gflops;
  if (w === 'W4') return (r as W4Result).w1CompileMs;
  return (r as W5Result).peakBytes;
}

function extra(w: Workload, runs: AnyResult[]): Figure['extra'] {
  const last = runs[runs.length - 1];
  if (!last) return {};
  if (w === 'W1') return { accuracy: (last as W1Result).accuracy };
  if (w === 'W2') return { finalLoss: (last as W2Result).finalLoss };
  if (w === 'W3') {
    const checks = runs.map((r) => (r as W3Result).check);
    return {
      checkOk: checks.every((c) => c.ok),
      maxRelErr: Math.max(...checks.map((c) => c.maxRelErr)),
    };
  }
  if (w === 'W4') {
    const r = last as W4Result;
    return {
      w1EmitMs: r.w1EmitMs,
      w1Nodes: r.w1Nodes,
      smallNodes: r.ladder[0].nodes,
      smallMs: r.ladder[0].ms,
      largeNodes: r.ladder[1].nodes,
      largeMs: r.ladder[1].ms,
      largeTimedOut: r.ladder[1].timedOut,
      ladderError: r.ladder
        .map((l) => l.error ?? '')
        .join(' ')
        .trim(),
      ladderRatio: r.ladderRatio,
      // The scale cases as JSON (report.ts tabulates them).
      ...(r.scale.length ? { scale: JSON.stringify(r.scale) } : {}),
    };
  }
  const r = last as W5Result;
  return { kernels: r.kernels, unplannedBytes: r.unplannedBytes, ratio: r.ratio };
}

export function figures(w: Workload, series: Series[]): Figure[] {
  const figs = series.map((s): Figure => {
    const f: Figure = { impl: s.impl, kind: s.kind, reps: s.runs.length, extra: extra(w, s.runs) };
    if (s.unavailable) f.status = s.unavailable;
    if (s.error) f.status = `error: ${s.error}`;
    if (s.runs.length && !s.error) {
      const xs = s.runs.map((r) => primary(w, r));
      [f.median, f.min, f.max] = [median(xs), Math.min(...xs), Math.max(...xs)];
    }
    return f;
  });
  if (w === 'W1' || w === 'W2' || w === 'W3') {
    const { higher } = METRIC[w];
    const best = bestPeer(figs, higher);
    for (const f of figs) {
      if (best?.median !== undefined && f.median !== undefined)
        f.vsBestPeer = higher ? f.median / best.median : best.median / f.median;
    }
  }
  return figs;
}

export function bestPeer(figs: Figure[], higher: boolean): Figure | undefined {
  const peers = figs.filter((f) => f.kind === 'peer' && f.median !== undefined);
  return peers.sort((a, b) => (higher ? b.median! - a.median! : a.median! - b.median!))[0];
}

export interface Target {
  text: string;
  /** 'met', 'missed', or why it could not be judged. */
  verdict: string;
  measured: string;
}

const fig = (figs: Figure[], impl: string) => figs.find((f) => f.impl === impl);

function judge(text: string, value: number | undefined, ok: (v: number) => boolean, show: string) {
  if (value === undefined || Number.isNaN(value))
    return { text, verdict: 'not measured', measured: show };
  return { text, verdict: ok(value) ? 'met' : 'missed', measured: show };
}

const x = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(2)}×`);

/** The targets, judged on the medians of this run. */
export function targets(all: Partial<Record<Workload, Figure[]>>): Target[] {
  const out: Target[] = [];
  const w1 = all.W1 ?? [];
  const w2 = all.W2 ?? [];
  const w3 = all.W3 ?? [];
  const w4 = all.W4 ?? [];
  const w5 = all.W5 ?? [];
  const t1 = fig(w1, 'gradc-ts')?.vsBestPeer;
  out.push(judge('W1 TS ≥ 2× best peer', t1, (v) => v >= 2, x(t1)));
  const wg2 = fig(w2, 'gradc-wgsl');
  out.push(
    judge(
      'W2 WGSL faster than every peer',
      wg2?.vsBestPeer,
      (v) => v > 1,
      wg2?.status ?? x(wg2?.vsBestPeer),
    ),
  );
  const ts2 = fig(w2, 'gradc-ts')?.median;
  const cpu2 = fig(w2, 'tfjs-cpu')?.median;
  const r2 = ts2 !== undefined && cpu2 !== undefined ? cpu2 / ts2 : undefined;
  out.push(judge('W2 TS ≥ 3× faster than tfjs-cpu', r2, (v) => v >= 3, x(r2)));
  const wg3 = fig(w3, 'gradc-wgsl');
  out.push(
    judge(
      'W3 WGSL ≥ 60 GFLOP/s',
      wg3?.median,
      (v) => v >= 60,
      wg3?.status ?? `${(wg3?.median ?? NaN).toFixed(1)} GFLOP/s`,
    ),
  );
  const ts3 = fig(w3, 'gradc-ts')?.median;
  const ikj = fig(w3, 'js-ikj')?.median;
  const r3 = ts3 !== undefined && ikj !== undefined ? ts3 / ikj : undefined;
  out.push(judge('W3 TS ≥ 3× plain JS i-k-j loop', r3, (v) => v >= 3, x(r3)));
  out.push(...simdTargets(w1, w2, w3));
  const c4 = fig(w4, 'gradc-ts');
  out.push(
    judge(
      'W4 W1 step compiles in < 1 s',
      c4?.median,
      (v) => v < 1000,
      `${c4?.median?.toFixed(0)} ms`,
    ),
  );
  const ratio = c4?.extra['ladderRatio'];
  const r4 = typeof ratio === 'number' ? ratio : undefined;
  const big = '10k-node compile ≤ 12× 1k-node';
  if (c4?.extra['largeTimedOut'] === true && r4 !== undefined && r4 <= 12)
    out.push({ text: `W4 ${big}`, verdict: 'not judged (timed out)', measured: `≥ ${x(r4)}` });
  else out.push(judge(`W4 ${big}`, r4, (v) => v <= 12, x(r4)));
  out.push(...scaleTargets(c4?.extra['scale']));
  const m5 = fig(w5, 'gradc-ts')?.extra['ratio'];
  const r5 = typeof m5 === 'number' ? m5 : undefined;
  out.push(
    judge(
      'W5 peak ≤ 60% of intermediates',
      r5,
      (v) => v <= 0.6,
      `${((r5 ?? NaN) * 100).toFixed(1)}%`,
    ),
  );
  // Only the targets of workloads that ran (each text starts with its workload).
  return out.filter((t) => all[t.text.slice(0, 2) as Workload] !== undefined);
}

/** Ratio a/b of two implementations' medians, when both ran. */
function ratio(figs: Figure[], a: string, b: string): number | undefined {
  const [x, y] = [fig(figs, a)?.median, fig(figs, b)?.median];
  return x !== undefined && y !== undefined ? x / y : undefined;
}

/** Issue #18 (the WebAssembly SIMD CPU path): single-threaded targets, plus W3's ceilings. */
function simdTargets(w1: Figure[], w2: Figure[], w3: Figure[]): Target[] {
  const out: Target[] = [];
  const np1 = ratio(w1, 'gradc-ts', 'numpy-1t');
  out.push(judge('W1 TS ≥ numpy network.py (1 thread)', np1, (v) => v >= 1, x(np1)));
  const jax = ratio(w2, 'jax-js-wasm', 'gradc-ts');
  out.push(judge('W2 TS step ≤ 0.8× jax-js wasm (1 thread)', jax, (v) => v >= 1.25, x(jax)));
  const tf = ratio(w3, 'gradc-ts', 'tfjs-wasm');
  out.push(judge('W3 TS ≥ 1.3× tfjs-wasm GFLOP/s (1 thread)', tf, (v) => v >= 1.3, x(tf)));
  // Threads (Node worker_threads; jax-js has no worker pool in Node, so no peer with workers).
  const t2 = ratio(w2, 'gradc-ts', 'gradc-ts-2t');
  out.push({
    text: 'W2 TS 2 threads: speed-up over 1 thread',
    verdict: 'reported',
    measured: x(t2),
  });
  const t3 = ratio(w3, 'gradc-ts-2t', 'gradc-ts');
  out.push({
    text: 'W3 TS 2 threads: speed-up over 1 thread',
    verdict: 'reported',
    measured: x(t3),
  });
  for (const [of, name] of [
    ['wasm-simd-peak', 'the wasm SIMD peak'],
    ['numpy-1t', 'numpy/OpenBLAS 1 thread'],
    ['numpy-2t', 'numpy/OpenBLAS 2 threads'],
  ] as const) {
    const r = ratio(w3, 'gradc-ts', of);
    const measured = r === undefined ? 'n/a' : `${(r * 100).toFixed(0)}%`;
    out.push({ text: `W3 TS as a fraction of ${name}`, verdict: 'reported', measured });
  }
  return out;
}

export function summarize(o: BenchOutcome): Partial<Record<Workload, Figure[]>> {
  const out: Partial<Record<Workload, Figure[]>> = {};
  for (const [w, series] of Object.entries(o.results) as Array<[Workload, Series[]]>)
    if (series.length) out[w] = figures(w, series);
  return out;
}

/** Issue #12: grad + compile of each scale case < 60 s and < 2 GB; mixed 10k → 100k ≤ 12×. */
function scaleTargets(json: unknown): Target[] {
  if (typeof json !== 'string') return [];
  const runs = JSON.parse(json) as ScaleTime[];
  const out: Target[] = [];
  for (const r of runs) {
    const what = `W4 ${r.kind} ${r.n} (${r.mode}): grad + compile < 60 s, < 2 GB`;
    if (r.error || r.compileMs === undefined) {
      out.push({ text: what, verdict: 'missed', measured: r.error ?? 'no result' });
      continue;
    }
    const s = ((r.buildGradMs ?? 0) + r.compileMs) / 1000;
    const ok = s < 60 && r.maxRssMB! < 2048;
    const measured = `${s.toFixed(1)} s (cpu ${(r.cpuMs! / 1000).toFixed(1)} s), ${r.maxRssMB!.toFixed(0)} MB`;
    out.push({ text: what, verdict: ok ? 'met' : 'missed', measured });
  }
  for (const mode of ['inproc', 'cli'] as const) {
    const mixed = runs.filter((r) => r.kind === 'mixed' && r.mode === mode && r.compileMs);
    if (mixed.length < 2) continue;
    const [a, b] = [mixed[0]!, mixed[mixed.length - 1]!];
    // CPU time of the whole child: wall time on a shared machine moves with everyone's load.
    const ratio = b.cpuMs! / a.cpuMs!;
    const wall = b.compileMs! / a.compileMs!;
    const what = `W4 mixed ${a.n} → ${b.n} compile (${mode}, CPU time) ≤ 12×`;
    out.push(judge(what, ratio, (v) => v <= 12, `${x(ratio)} (wall ${x(wall)})`));
  }
  return out;
}
