// Measures the wasm size rule: one m×k·k×n matmul compiled with every kernel in wasm and with
// scalar TS only, interleaved (30 rounds of 5 runs, best of each). Usage: tsx scripts/wasm-rule.mts 128,512,10
import { Graph } from '../src/ir/graph.ts';
import * as B from '../src/builder/ops.ts';
import { compile } from '../src/compile.ts';
const [m, k, n] = process.argv[2]!.split(',').map(Number) as [number, number, number];
const g = new Graph('mm');
const a = g.input('a', [m, k]);
const b = g.input('b', [k, n]);
g.output('c', B.matmul(a, b));
const A = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
const Bv = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
const exes = { all: await compile(g, { wasm: 'all' }), off: await compile(g, { wasm: 'off' }) };
const best: Record<string, number> = { all: Infinity, off: Infinity };
for (let r = 0; r < 30; r++)
  for (const [name, exe] of Object.entries(exes)) {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await exe.run({ a: A, b: Bv });
    best[name] = Math.min(best[name]!, (performance.now() - t0) / 5);
  }
console.log(
  `${m}x${k}x${n}: wasm ${best.all!.toFixed(3)} ms, ts ${best.off!.toFixed(3)} ms, ratio ${(best.off! / best.all!).toFixed(2)}`,
);
