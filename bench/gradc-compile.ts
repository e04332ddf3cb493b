// W4 (compile time: the W1 training step, and generated 1k/10k-node ladders) and W5 (the W2 step's
// planned peak memory beside the sum of all its intermediates), for one gradc target.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/compile.ts';
import type { Graph } from '../src/ir/graph.ts';
import { emitTs, toProgram } from '../src/pipeline.ts';
import type { GradcTarget } from './gradc.ts';
import { ladderGraph, w1Graph, w2Graph } from './gradc-graphs.ts';
import type { ScaleCase } from './scale-graphs.ts';
import { now } from './peers/stats.ts';
import type { W1Config, W2Config } from './peers/types.ts';

export interface W4Config {
  w1: W1Config;
  sizes: number[];
  /** Node counts of the two generated graphs (small, large). */
  ladder: [number, number];
  /** Wall-clock limit of one ladder compile (it runs in a child process that is killed after). */
  ladderTimeoutMs: number;
  /** Scale cases (TS target only): grad + compile of each, in a child process per case. */
  scale: readonly ScaleRun[];
}

/**
 * One scale case: build, grad, compile in-process (compile()), to files (compileToFiles), or by
 * spawning `gradc compile` on bench/scale-model.ts (formatted files, as a user runs it).
 */
export interface ScaleRun {
  kind: ScaleCase;
  n: number;
  mode: 'inproc' | 'files' | 'cli';
}

/** What a scale child reports (see bench/scale-child.ts), or why it has no figures. */
export interface ScaleTime extends ScaleRun {
  nodes?: number;
  /** Absent for 'cli': the command's time is all in compileMs. */
  buildGradMs?: number;
  /** 'cli': wall time of the whole command (start, model load, build, grad, compile, write). */
  compileMs?: number;
  cpuMs?: number;
  maxRssMB?: number;
  kernels?: number;
  error?: string;
}

/** A ladder compile: its time, or `timedOut` with ms = the limit (a lower bound), or an error. */
export interface LadderTime {
  nodes: number;
  ms: number;
  timedOut: boolean;
  error?: string;
}

export interface W4Result {
  /** compile(w1 step) end to end: optimize, schedule, render + prettier, transpile, import. */
  w1CompileMs: number;
  /** emitTs(w1 step) alone: optimize, schedule, render + prettier. */
  w1EmitMs: number;
  w1Nodes: number;
  ladder: [LadderTime, LadderTime];
  /** ladder[1].ms / ladder[0].ms (a lower bound if the large compile timed out). */
  ladderRatio: number;
  scale: ScaleTime[];
}

export interface W5Result {
  kernels: number;
  peakBytes: number;
  unplannedBytes: number;
  /** peakBytes / unplannedBytes. */
  ratio: number;
}

async function timeCompile(g: Graph, target: GradcTarget): Promise<number> {
  const t0 = now();
  const exe = await compile(g, { target });
  const ms = now() - t0;
  exe.dispose();
  if (exe.target !== target) throw new Error(`compile() served '${target}' with '${exe.target}'`);
  return ms;
}

const CHILD = fileURLToPath(new URL('./compile-child.ts', import.meta.url));

/** compile() of a generated ladder in a fresh child process (after a warm-up compile there). */
function ladderCompile(nodes: number, target: GradcTarget, limitMs: number): Promise<LadderTime> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(nodes), target], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut)
        return resolve({ nodes: ladderGraph(nodes).nodes.length, ms: limitMs, timedOut });
      if (code !== 0) {
        const why = err.split('\n').find((l) => /^\w*Error/.test(l)) ?? `exit code ${code}`;
        return resolve({ nodes: ladderGraph(nodes).nodes.length, ms: NaN, timedOut, error: why });
      }
      const r = JSON.parse(out) as { nodes: number; ms: number; served: string };
      if (r.served !== target)
        return reject(new Error(`compile() served '${target}' with '${r.served}'`));
      resolve({ nodes: r.nodes, ms: r.ms, timedOut: false });
    });
  });
}

export async function w4(target: GradcTarget, cfg: W4Config): Promise<W4Result> {
  const g = w1Graph(cfg.sizes, cfg.w1);
  // Warm-up: the renderers (TypeScript, prettier, Dawn) load on the first compile of a process.
  await timeCompile(ladderGraph(50), target);
  const w1CompileMs = await timeCompile(g, target);
  const t0 = now();
  await emitTs(g);
  const w1EmitMs = now() - t0;
  const small = await ladderCompile(cfg.ladder[0], target, cfg.ladderTimeoutMs);
  const large = await ladderCompile(cfg.ladder[1], target, cfg.ladderTimeoutMs);
  const scale: ScaleTime[] = [];
  if (target === 'ts') for (const run of cfg.scale) scale.push(await scaleCompile(run));
  return {
    w1CompileMs,
    w1EmitMs,
    w1Nodes: g.nodes.length,
    ladder: [small, large],
    ladderRatio: large.ms / small.ms,
    scale,
  };
}

const SCALE_CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const GRADC_BIN = fileURLToPath(new URL('../bin/gradc.js', import.meta.url));
const SCALE_MODEL = fileURLToPath(new URL('./scale-model.ts', import.meta.url));
const RUSAGE = fileURLToPath(new URL('./rusage.mjs', import.meta.url));
/** A scale case gets 3 minutes: the target is 60 s, so a slow run still reports its figures. */
const SCALE_TIMEOUT_MS = 180_000;

/** One scale case in a fresh child process: its own peak RSS, nothing shared with this one. */
export function scaleCompile(run: ScaleRun): Promise<ScaleTime> {
  if (run.mode === 'cli') return scaleCli(run);
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', SCALE_CHILD, run.kind, String(run.n), run.mode];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SCALE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ...run, ...(JSON.parse(out) as Partial<ScaleTime>) });
      resolve({ ...run, error: failure(err, code, signal) });
    });
  });
}

const failure = (stderr: string, code: number | null, signal: NodeJS.Signals | null) =>
  signal
    ? `killed (${signal}) after ${SCALE_TIMEOUT_MS / 1000} s`
    : (stderr.split('\n').find((l) => /Error|heap/.test(l)) ?? `exit code ${code}`);

/**
 * `gradc compile bench/scale-model.ts --target ts` spawned as a user runs it (type check, build,
 * grad, compile, prettier within its budget, atomic write); its CPU time and peak RSS come from
 * bench/rusage.mjs preloaded into it.
 */
async function scaleCli(run: ScaleRun): Promise<ScaleTime> {
  const dir = mkdtempSync(join(tmpdir(), 'gradc-w4-cli-'));
  const usage = join(dir, 'rusage.json');
  const out = join(dir, 'gen');
  const args = ['--import', RUSAGE, GRADC_BIN, 'compile', SCALE_MODEL, '--target', 'ts'];
  const env = { ...process.env, GRADC_SCALE: `${run.kind}:${run.n}`, GRADC_RUSAGE: usage };
  try {
    const t0 = now();
    const { code, signal, stderr } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stderr: string;
    }>((resolve) => {
      const child = spawn(process.execPath, [...args, '--out', out], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), SCALE_TIMEOUT_MS);
      child.on('close', (c, s) => {
        clearTimeout(timer);
        resolve({ code: c, signal: s, stderr: err });
      });
    });
    const compileMs = now() - t0;
    if (code !== 0) return { ...run, error: failure(stderr, code, signal) };
    const u = JSON.parse(readFileSync(usage, 'utf8')) as { cpuMs: number; maxRssMB: number };
    return { ...run, compileMs, ...u };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Memory plan of the W2 training step (the TS scheduler's program.stats). */
export function w5(sizes: number[], cfg: W2Config): W5Result {
  const { stats } = toProgram(w2Graph(sizes, cfg)); // what emitTs plans, without rendering
  return {
    kernels: stats.kernels,
    peakBytes: stats.peakBytes,
    unplannedBytes: stats.unplannedBytes,
    ratio: stats.peakBytes / stats.unplannedBytes,
  };
}
