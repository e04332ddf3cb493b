// G1 through gradc: the compiled training step (compile time from exe.report), fed the shared
// batches and initial params; and decoding, one token per call through the KV-cache step
// against a full forward pass of the prefix per token.
import { compile } from '../src/compile.ts';
import type { Executable } from '../src/runtime/executable.ts';
import { nn } from '../src/index.ts';
import type { G1Data, G1Run, G1TrainResult } from './g1-model.ts';
import { g1DecodeGraph, g1EvalGraph, g1TrainGraph, stepClock } from './g1-model.ts';
import { now } from './peers/stats.ts';

export type G1Target = 'ts' | 'wgsl';

export interface G1GradcResult extends G1TrainResult {
  /** compile() of the training step, ms (exe.report.compileMs), and its process CPU time. */
  readonly compileMs: number;
  readonly compileCpuMs: number;
  readonly kernels: number;
}

async function build(g: Parameters<typeof compile>[0], target: G1Target, wasm: 'auto' | 'off') {
  const exe = await compile(g, { target, wasm });
  if (exe.target !== target) throw new Error(`compile() served '${target}' with '${exe.target}'`);
  return exe;
}

export async function gradcG1(
  data: G1Data,
  run: G1Run,
  target: G1Target,
  wasm: 'auto' | 'off' = 'auto',
): Promise<G1GradcResult> {
  const m = data.model;
  const g = g1TrainGraph(m, data.vocab);
  const c0 = process.cpuUsage();
  const exe = await build(g, target, wasm);
  const c = process.cpuUsage(c0);
  const compileCpuMs = (c.user + c.system) / 1000;
  exe.setParams(data.init);
  const clock = stepClock(m, run);
  for (let step = 0; step < run.warmup + run.steps; step++) {
    const feeds = { ...data.batches[step % data.batches.length]!, lr: [m.lr] };
    // The loss comes back to the host every step, as the peers' does.
    await clock.step(step, async () => (await exe.step(feeds))['loss']![0]!);
  }
  const { compileMs, kernels } = exe.report!;
  exe.dispose();
  return { ...clock.result(), compileMs, compileCpuMs, kernels };
}

export interface G1DecodeResult {
  readonly cachedTokensPerSec: number;
  readonly fullTokensPerSec: number;
  /** The same per second of process CPU time (all threads), steadier on a shared machine. */
  readonly cachedCpuTokensPerSec: number;
  readonly fullCpuTokensPerSec: number;
  /** Greedy continuations agree token for token (the cache changes cost, not results). */
  readonly same: boolean;
}

/** Wall and process CPU milliseconds of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const [t0, c0] = [now(), process.cpuUsage()];
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, ms: now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** Greedy decoding of `run.decodeTokens` tokens after token 0, with and without the cache. */
export async function gradcG1Decode(
  data: G1Data,
  run: G1Run,
  target: G1Target,
): Promise<G1DecodeResult> {
  const m = data.model;
  const weights = (exe: Executable) =>
    Object.fromEntries(Object.entries(data.init).filter(([k]) => exe.graph.params.has(k)));
  const decode = await build(g1DecodeGraph(m, data.vocab), target, 'auto');
  decode.setParams(weights(decode));
  const full = await build(g1EvalGraph(m, data.vocab), target, 'auto');
  full.setParams(weights(full));
  const n = Math.min(run.decodeTokens, m.context - 1);
  const greedy = { temperature: 0, rand: () => 0 };
  /** Without a cache: the whole (zero-padded) context through the model for every token. */
  const fullDecode = async (count: number) => {
    const seq = [0];
    for (let i = 0; i < count; i++) {
      const x = new Int32Array(m.context);
      x.set(seq);
      const logits = (await full.run({ x }))['pred']!;
      const row = logits.subarray((seq.length - 1) * data.vocab, seq.length * data.vocab);
      seq.push(nn.argmax(row, 1)[0]!);
    }
    return seq.slice(1);
  };
  await nn.generate(decode, [0], 1, greedy); // warm-up: first-call costs
  await fullDecode(1);
  const cached = await timed(() => nn.generate(decode, [0], n, greedy));
  const plain = await timed(() => fullDecode(n));
  decode.dispose();
  full.dispose();
  return {
    cachedTokensPerSec: (n * 1000) / cached.ms,
    fullTokensPerSec: (n * 1000) / plain.ms,
    cachedCpuTokensPerSec: (n * 1000) / cached.cpuMs,
    fullCpuTokensPerSec: (n * 1000) / plain.cpuMs,
    same: cached.value.join() === plain.value.join(),
  };
}
