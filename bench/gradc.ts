// gradc as a Peer, one per target ('ts', 'wgsl'): compiled W1/W2/W3 graphs fed the same data and
// initial params as the peers. A target that compile() serves with another target is unavailable.
import { readFileSync } from 'node:fs';
import { compile } from '../src/compile.ts';
import type { Graph } from '../src/ir/graph.ts';
import type { Executable, Feeds, Target } from '../src/runtime/executable.ts';
import { CLASSES, PIXELS, checkMatmul, mlpAccuracy } from './data.ts';
import type { Split } from './data.ts';
import { mlpFeeds, mlpFrom, w1Graph, w2Graph, w3Graph } from './gradc-graphs.ts';
import { SYNC_EVERY, epochRate, now, timeSteps, w2BatchStart } from './peers/stats.ts';
import type { Peer, W1Result, W2Result, W3Result } from './peers/types.ts';
import { adapterDescription, ensureWebGPU } from './peers/webgpu.ts';

export type GradcTarget = Extract<Target, 'ts' | 'wgsl'>;

/** W2 result plus every step's loss (the quick test checks that it falls). */
export interface GradcW2Result extends W2Result {
  losses: number[];
}

export interface GradcPeer extends Peer {
  readonly target: GradcTarget;
  w2(...args: Parameters<NonNullable<Peer['w2']>>): Promise<GradcW2Result>;
}

/** Version of gradc from its package.json. */
export const gradcVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

function batchFeeds(split: Split, start: number, n: number): Feeds {
  return {
    x: split.x.subarray(start * PIXELS, (start + n) * PIXELS),
    y: split.y.subarray(start * CLASSES, (start + n) * CLASSES),
  };
}

/** Waits for the device (WebGPU: copies the params back, like the peers' small readbacks). */
const sync = async (exe: Executable): Promise<void> => exe.syncParams?.();

/**
 * `wasm: 'off'` gives the scalar TypeScript kernels only (gradc-ts-scalar), for comparison;
 * `threads` > 1 shares the large matmuls with worker threads (gradc-ts-2t).
 */
export function gradcPeer(
  target: GradcTarget,
  wasm: 'auto' | 'off' = 'auto',
  threads = 1,
): GradcPeer {
  let notes = '';
  const build = async (g: Graph) => {
    const exe = await compile(g, { target, seed: 0, wasm, threads });
    if (exe.target !== target) throw new Error(`compile() served '${target}' with '${exe.target}'`);
    return exe;
  };
  return {
    name:
      wasm === 'off'
        ? `gradc-${target}-scalar`
        : `gradc-${target}${threads > 1 ? `-${threads}t` : ''}`,
    version: gradcVersion,
    target,
    notes: () => notes,

    async setup() {
      if (target === 'ts') {
        notes =
          wasm === 'off'
            ? 'generated TypeScript, scalar kernels only, 1 thread'
            : `generated TypeScript with WebAssembly SIMD kernels (size rule), ${threads === 1 ? '1 thread' : `${threads} threads (worker_threads) on matmuls ≥ 4M multiply-adds`}`;
        return undefined;
      }
      const reason = await ensureWebGPU();
      if (reason) return reason;
      const exe = await compile(w3Graph(4), { target });
      exe.dispose();
      if (exe.target !== target)
        return `not available yet: compile(g, {target:'wgsl'}) falls back to '${exe.target}'`;
      notes = `adapter: ${await adapterDescription()}`;
      return undefined;
    },

    async w1(data, init, cfg): Promise<W1Result> {
      if (cfg.trainCount % cfg.batch !== 0)
        throw new Error('W1: trainCount must be a multiple of batch');
      const exe = await build(w1Graph(init.sizes, cfg));
      exe.setParams(mlpFeeds(init));
      const epochSeconds: number[] = [];
      for (let e = 0; e < cfg.epochs; e++) {
        const t0 = now();
        for (let s = 0; s < cfg.trainCount; s += cfg.batch) {
          await exe.step(batchFeeds(data.train, s, cfg.batch));
          if ((s / cfg.batch) % SYNC_EVERY === SYNC_EVERY - 1) await sync(exe);
        }
        await sync(exe);
        epochSeconds.push((now() - t0) / 1000);
      }
      await sync(exe);
      const trained = mlpFrom(exe.params, init.sizes);
      exe.dispose();
      const accuracy = mlpAccuracy(trained, data.test, 'sigmoid');
      return { samplesPerSec: epochRate(cfg.trainCount, epochSeconds), epochSeconds, accuracy };
    },

    async w2(data, init, cfg): Promise<GradcW2Result> {
      const exe = await build(w2Graph(init.sizes, cfg));
      exe.setParams(mlpFeeds(init));
      const losses: number[] = [];
      const { ms, last } = await timeSteps(cfg.warmup, cfg.steps, async (step) => {
        const start = w2BatchStart(step, data.train.count, cfg.batch);
        const out = await exe.step(batchFeeds(data.train, start, cfg.batch));
        losses.push(out['loss']![0]!);
        return losses[losses.length - 1]!;
      });
      exe.dispose();
      return { msPerStep: ms, steps: cfg.steps, finalLoss: last, losses };
    },

    async w3(input, cfg): Promise<W3Result> {
      const { n } = input;
      const exe = await build(w3Graph(n));
      let c: ArrayLike<number> = [];
      const { ms } = await timeSteps(cfg.warmup, cfg.reps, async () => {
        c = (await exe.run({ a: input.a, b: input.b }))['c']!;
        return 0;
      });
      exe.dispose();
      return { ms, gflops: (2 * n ** 3) / (ms * 1e6), check: checkMatmul(input, c) };
    },

    async dispose() {},
  };
}
