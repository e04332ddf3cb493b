// The machine's WebAssembly SIMD ceiling: a loop of independent f32x4 multiply-adds (no memory
// traffic), encoded with gradc's own wasm encoder. W3 reports its GFLOP/s as a fraction of this.
import { FuncBuilder, ModuleBuilder, OP, SIMD } from '../codegen/wasm/encoder.ts';

/** Independent accumulator chains: enough to hide the add latency on current x86 and ARM cores. */
const CHAINS = 12;

function peakModule(): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder(['i32']);
  const acc = Array.from({ length: CHAINS }, () => f.local('v128'));
  const [a, b] = [f.local('v128'), f.local('v128')];
  const splat = (v: number) => f.f64(v).op(OP.f32_demote_f64).simd(SIMD.f32x4_splat);
  splat(1.0000001).set(a);
  splat(0.9999999).set(b);
  f.op(OP.loop, 0x40);
  for (const x of acc) f.get(x).get(a).get(b).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(x);
  f.get(0).i32(1).op(OP.i32_sub).op(OP.local_tee, 0).op(OP.br_if, 0);
  f.op(OP.end);
  // Keep the chains alive: fold them into one lane and return it.
  for (const x of acc.slice(1)) f.get(acc[0]!).get(x).simd(SIMD.f32x4_add).set(acc[0]!);
  f.get(acc[0]!).simd(SIMD.f32x4_extract_lane, 0);
  const m = new ModuleBuilder(1);
  m.func('peak', { params: ['i32'], results: ['f32'] }, f);
  return m.encode();
}

/** GFLOP/s of the best of `reps` runs of `iters` iterations (each 2·4·CHAINS flops). */
export function wasmSimdPeak(iters = 20_000_000, reps = 3): number {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(peakModule()), {
    env: { memory },
  });
  const peak = inst.exports['peak'] as (n: number) => number;
  peak(1000);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    peak(iters);
    best = Math.min(best, performance.now() - t0);
  }
  return (iters * 8 * CHAINS) / best / 1e6;
}
