// W3 baselines measured in the same run as gradc: plain JavaScript f32 matmul loops, as Peers
// with only w3 (the i-k-j loop streams rows of b and c; the naive i-j-k loop strides down b).
import { checkMatmul } from './data.ts';
import type { MatmulInput } from './data.ts';
import { timeSteps } from './peers/stats.ts';
import type { Peer, W3Config, W3Result } from './peers/types.ts';

export function matmulIkj(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k]!;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j]! += aik * b[bk + j]!;
    }
  }
  return c;
}

export function matmulNaive(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

type Loop = (a: Float32Array, b: Float32Array, n: number) => Float32Array;

/** A baseline timed like the peers' w3; `maxReps` caps the (slow) naive loop's repetitions. */
function loopPeer(name: string, loop: Loop, notes: string, maxReps: number): Peer {
  return {
    name,
    version: process.version,
    notes: () => notes,
    setup: async () => undefined,
    async w3(input: MatmulInput, cfg: W3Config): Promise<W3Result> {
      const { n } = input;
      let c: ArrayLike<number> = [];
      const warmup = Math.min(cfg.warmup, maxReps - 1);
      const { ms } = await timeSteps(Math.max(warmup, 0), Math.min(cfg.reps, maxReps), async () => {
        c = loop(input.a, input.b, n);
        return 0;
      });
      return { ms, gflops: (2 * n ** 3) / (ms * 1e6), check: checkMatmul(input, c) };
    },
    dispose: async () => {},
  };
}

export function baselines(): Peer[] {
  return [
    loopPeer('js-ikj', matmulIkj, 'plain JS i-k-j triple loop, f32', 3),
    loopPeer('js-naive', matmulNaive, 'plain JS i-j-k triple loop, f32', 1),
  ];
}
