// The G1 workload (issue #17): training tokens/s of the reference GPT on gradc's targets beside
// TensorFlow.js (cpu, wasm) and jax-js (wasm, jit), same init and batches, one run each; the
// compile time of gradc's G1 step; decode tokens/s with the KV cache against without.
// `npx tsx bench/run.ts G1 [impl-substrings…]` runs it alone (BENCH_QUICK=1: fewer steps).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { G1, g1Data, g1Run } from './g1-model.ts';
import type { G1Data, G1Run, G1TrainResult } from './g1-model.ts';
import { gradcG1, gradcG1Decode } from './g1-gradc.ts';
import type { G1DecodeResult, G1GradcResult, G1Target } from './g1-gradc.ts';
import { jaxG1 } from './g1-jaxjs.ts';
import { tfjsG1 } from './g1-tfjs.ts';
import { gradcPeer } from './gradc.ts';
import { jaxPeer } from './peers/jaxjs.ts';
import { tfjsPeer } from './peers/tfjs.ts';
import type { Peer } from './peers/types.ts';

interface G1Impl {
  readonly name: string;
  readonly kind: 'gradc' | 'peer';
  /** Selects the backend (tfjs, jax-js) or checks the device (WGSL); the reason if unavailable. */
  readonly peer: Peer;
  readonly train: (d: G1Data, r: G1Run) => Promise<G1TrainResult | G1GradcResult>;
}

const gradc = (target: G1Target, wasm: 'auto' | 'off'): G1Impl => {
  const peer = gradcPeer(target, wasm);
  return { name: peer.name, kind: 'gradc', peer, train: (d, r) => gradcG1(d, r, target, wasm) };
};

function impls(): G1Impl[] {
  return [
    gradc('ts', 'auto'),
    gradc('ts', 'off'),
    gradc('wgsl', 'auto'),
    ...(['cpu', 'wasm'] as const).map((b): G1Impl => {
      const peer = tfjsPeer(b);
      return { name: peer.name, kind: 'peer', peer, train: tfjsG1 };
    }),
    { name: 'jax-js-wasm', kind: 'peer', peer: jaxPeer('wasm'), train: jaxG1 },
  ];
}

export interface G1Row {
  readonly impl: string;
  readonly kind: G1Impl['kind'];
  readonly version: string;
  readonly notes: string;
  readonly result?: G1TrainResult | Partial<G1GradcResult>;
  readonly unavailable?: string;
}

export interface G1Report {
  readonly date: string;
  /** Load average (1, 5, 15 min) before and after: the machine may be shared. */
  readonly load: readonly (readonly number[])[];
  readonly quick: boolean;
  readonly run: G1Run;
  readonly model: typeof G1;
  readonly vocab: number;
  readonly rows: G1Row[];
  readonly decode: Partial<Record<G1Target, G1DecodeResult | { error: string }>>;
}

/** Train G1 on every selected implementation in turn, then decode on gradc's targets. */
export async function runG1(opts: {
  quick: boolean;
  only: readonly string[];
  log: (l: string) => void;
}): Promise<G1Report> {
  const loadBefore = loadavg();
  const run = g1Run(opts.quick);
  const data = g1Data(G1, run.warmup + run.steps);
  const rows: G1Row[] = [];
  for (const impl of impls()) {
    if (opts.only.length && !opts.only.some((s) => impl.name.includes(s))) continue;
    const base = { impl: impl.name, kind: impl.kind, version: impl.peer.version };
    const reason = await impl.peer.setup();
    if (reason) {
      rows.push({ ...base, notes: '', unavailable: reason });
      opts.log(`G1 ${impl.name}: ${reason}`);
      continue;
    }
    try {
      const result = await impl.train(data, run);
      rows.push({
        ...base,
        notes: [impl.peer.notes(), result.notes].filter(Boolean).join('; '),
        result,
      });
      opts.log(`G1 ${impl.name}: ${result.tokensPerSec.toFixed(0)} tokens/s`);
    } catch (e) {
      const why = `error: ${e instanceof Error ? e.message : String(e)}`;
      rows.push({ ...base, notes: impl.peer.notes(), unavailable: why });
      opts.log(`G1 ${impl.name}: ${why}`);
    }
    await impl.peer.dispose();
  }
  const decode: G1Report['decode'] = {};
  for (const target of ['ts', 'wgsl'] as const) {
    if (!rows.some((r) => r.impl === `gradc-${target}` && r.result)) continue;
    try {
      decode[target] = await gradcG1Decode(data, run, target);
    } catch (e) {
      decode[target] = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  const date = new Date().toISOString();
  const load = [loadBefore, loadavg()];
  return { date, load, quick: opts.quick, run, model: G1, vocab: data.vocab, rows, decode };
}

const f = (v: number | undefined, d = 0) => (v === undefined ? '' : v.toFixed(d));

/** Markdown: one row per implementation, ratios against the best peer by wall and CPU time. */
export function renderG1(r: G1Report): string {
  const done = r.rows.filter((x) => x.result);
  const peers = done.filter((x) => x.kind === 'peer');
  const best = (key: 'msPerStep' | 'cpuMsPerStep') =>
    Math.min(...peers.map((p) => p.result![key]!));
  const [bestWall, bestCpu] = [best('msPerStep'), best('cpuMsPerStep')];
  const ref = done.find((x) => x.impl === 'gradc-ts')?.result?.losses;
  const lossDiff = (l: number[]) =>
    ref ? Math.max(...l.map((v, i) => Math.abs(v - (ref[i] ?? NaN)))).toExponential(1) : '';
  const m = r.model;
  const lines = [
    `## G1 GPT: ${m.layers} blocks, d_model ${m.dModel}, ${m.heads} heads, context ${m.context}, batch ${m.batch}, char vocab ${r.vocab}, AdamW`,
    '',
    `${r.run.warmup} warm-up + ${r.run.steps} timed steps each (median step); one run; ${r.date}; load average ${r.load.map((l) => l.map((v) => v.toFixed(1)).join(' ')).join(' → ')}. CPU ms is the process's CPU time per step (all threads).`,
    '',
    '| impl | tokens/s | ms/step | CPU ms/step | vs best peer (wall) | vs best peer (CPU) | first → last loss | max loss Δ vs gradc-ts | compile ms (CPU ms) | kernels | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of r.rows) {
    const x = row.result;
    if (!x) {
      lines.push(`| ${row.impl} | ${row.unavailable} | | | | | | | | | |`);
      continue;
    }
    const g = x as Partial<G1GradcResult>;
    lines.push(
      `| ${row.impl} | ${f(x.tokensPerSec)} | ${f(x.msPerStep)} | ${f(x.cpuMsPerStep)} | ${f(bestWall / x.msPerStep!, 2)}× | ${f(bestCpu / x.cpuMsPerStep!, 2)}× | ${f(x.losses![0], 4)} → ${f(x.losses!.at(-1), 4)} | ${lossDiff(x.losses!)} | ${f(g.compileMs)}${g.compileCpuMs === undefined ? '' : ` (${f(g.compileCpuMs)})`} | ${f(g.kernels)} | ${row.notes} |`,
    );
  }
  lines.push(
    '',
    '| decode (batch 1, greedy) | tokens/s with KV cache | tokens/s full forward per token | speed-up | per CPU-s: cache / full | speed-up (CPU) | same tokens |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [target, d] of Object.entries(r.decode)) {
    if ('error' in d) lines.push(`| gradc-${target} | error: ${d.error} | | | | | |`);
    else
      lines.push(
        `| gradc-${target} | ${f(d.cachedTokensPerSec, 1)} | ${f(d.fullTokensPerSec, 1)} | ${f(d.cachedTokensPerSec / d.fullTokensPerSec, 1)}× | ${f(d.cachedCpuTokensPerSec, 1)} / ${f(d.fullCpuTokensPerSec, 1)} | ${f(d.cachedCpuTokensPerSec / d.fullCpuTokensPerSec, 1)}× | ${d.same} |`,
      );
  }
  return lines.join('\n') + '\n';
}

/** bench/results/<name>.{json,md}. */
export function writeG1(r: G1Report, dir: URL, name = 'g1'): void {
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(new URL(`${name}.md`, dir), `# gradc benchmark: G1\n\n${renderG1(r)}`);
}
