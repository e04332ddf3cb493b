// W3 baselines measured in the same run as gradc: plain JavaScript f32 matmul loops, as Peers
// with only w3 (the i-k-j loop streams rows of b and c; the naive i-j-k loop strides down b).
import { checkMatmul } from './data.ts';
import type { MatmulInput } from './data.ts';
import { numpyPeer } from './peers/numpy.ts';
import { timeSteps } from './peers/stats.ts';
import { wasmSimdPeak } from './wasm-peak.ts';
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

/**
 * The machine's WebAssembly SIMD ceiling, reported beside W3: not a matmul (nothing to check, so
 * its check has 0 samples), a loop of independent f32x4 multiply-adds.
 */
function wasmPeakPeer(): Peer {
  return {
    name: 'wasm-simd-peak',
    version: process.version,
    notes: () => 'f32x4 mul+add loop, no memory traffic: the ceiling for 1 thread (not a matmul)',
    setup: async () => undefined,
    async w3(input: MatmulInput, cfg: W3Config): Promise<W3Result> {
      const runs = Array.from({ length: cfg.reps }, () => wasmSimdPeak(10_000_000, 1));
      const gflops = Math.max(...runs);
      const ms = (2 * input.n ** 3) / (gflops * 1e6);
      return { ms, gflops, check: { samples: 0, maxRelErr: 0, ok: true } };
    },
    dispose: async () => {},
  };
}

export function baselines(): Peer[] {
  return [
    wasmPeakPeer(),
    numpyPeer(1),
    numpyPeer(2),
    loopPeer('js-ikj', matmulIkj, 'plain JS i-k-j triple loop, f32', 3),
    loopPeer('js-naive', matmulNaive, 'plain JS i-j-k triple loop, f32', 1),
  ];
}
