// The machine's WebAssembly SIMD ceiling for a matmul without fused multiply-add: a loop of
// f32x4 multiplies and adds in equal numbers (no memory traffic), encoded with gradc's own wasm
// encoder. W3 reports its GFLOP/s as a fraction of this.
import { FuncBuilder, ModuleBuilder, OP, SIMD } from '../codegen/wasm/encoder.ts';

/**
 * Independent chains, half multiplying (x ← x·a) and half adding (y ← y + c): twelve hide the
 * mul and add latencies on current x86 and ARM cores and fit the 15 SIMD registers V8 allocates.
 * Every operation depends on the loop's previous iteration: an earlier version added a·b to each
 * chain, and TurboFan hoisted that loop-invariant product, so it measured additions only (on
 * this AMD EPYC the same 50 GFLOP/s by coincidence, mul and add having separate pipes; on cores
 * whose two pipes each do either, twice the real ceiling).
 */
const CHAINS = 12;
const FLOPS_PER_ITER = 4 * CHAINS;

function peakModule(): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder(['i32']);
  const acc = Array.from({ length: CHAINS }, () => f.local('v128'));
  const [a, c] = [f.local('v128'), f.local('v128')];
  const splat = (v: number) => f.f64(v).op(OP.f32_demote_f64).simd(SIMD.f32x4_splat);
  // x·a decays by e^-1.2 over 2·10⁷ iterations and y grows to about 3: no denormal, no overflow.
  splat(0.99999994).set(a);
  splat(1e-7).set(c);
  acc.forEach((x, i) => splat(1 + i).set(x));
  f.op(OP.loop, 0x40);
  acc.forEach((x, i) => {
    if (i % 2 === 0) f.get(x).get(a).simd(SIMD.f32x4_mul).set(x);
    else f.get(x).get(c).simd(SIMD.f32x4_add).set(x);
  });
  f.get(0).i32(1).op(OP.i32_sub).op(OP.local_tee, 0).op(OP.br_if, 0);
  f.op(OP.end);
  // Keep the chains alive: fold them into one lane and return it.
  for (const x of acc.slice(1)) f.get(acc[0]!).get(x).simd(SIMD.f32x4_add).set(acc[0]!);
  f.get(acc[0]!).simd(SIMD.f32x4_extract_lane, 0);
  const m = new ModuleBuilder(1);
  m.func('peak', { params: ['i32'], results: ['f32'] }, f);
  return m.encode();
}

/**
 * The peak loop, instantiated once per process and warmed. V8 runs a new instance's code in
 * Liftoff (the baseline compiler) and swaps in TurboFan's only between calls, once a call has
 * used up its tier-up budget: with a fresh instance per measurement, the first one or two
 * measurements of a process timed Liftoff's 3–4 GFLOP/s against TurboFan's 20–50 (2-core AMD
 * EPYC, Node 20), and with them any run paired with them. A few short calls trigger the tier-up;
 * its compile, in the background, takes milliseconds.
 */
let warmPeak: ((iters: number) => number) | undefined;

function peakLoop(): (iters: number) => number {
  if (warmPeak) return warmPeak;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(peakModule()), {
    env: { memory },
  });
  const peak = inst.exports['peak'] as (n: number) => number;
  for (let i = 0; i < 8; i++) peak(200_000);
  warmPeak = peak;
  return peak;
}

/** GFLOP/s of the best of `reps` runs of `iters` iterations (each 4·CHAINS flops). */
export function wasmSimdPeak(iters = 20_000_000, reps = 3): number {
  const peak = peakLoop();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    peak(iters);
    best = Math.min(best, performance.now() - t0);
  }
  return (iters * FLOPS_PER_ITER) / best / 1e6;
}
