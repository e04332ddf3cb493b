// Where a W1 step's time goes (784-30-10 sigmoid MLP, SGD, batch 10, the bench's MNIST batches):
// each wasm kernel called alone in a loop, the whole generated step on the workspace's own arrays,
// and the Executable's step (feed checks, the input copy, output copies, the promise). CPU time
// per call, the parts interleaved over rounds (best round of each), so load from other processes
// inflates them alike. Usage: npx tsx scripts/w1-profile.mts [wasm: auto|off] [rounds]
import { compile } from '../src/compile.ts';
import { emitTs } from '../src/pipeline.ts';
import { importJs } from '../codegen/ts/js.ts';
import { loadMnist, seedMlpParams, PIXELS, CLASSES } from '../bench/data.ts';
import { mlpFeeds, w1Graph } from '../bench/gradc-graphs.ts';
import { benchConfig } from '../bench/peers/types.ts';

const wasm = (process.argv[2] ?? 'auto') as 'auto' | 'off';
const rounds = Number(process.argv[3] ?? 20);
const cfg = benchConfig().w1;
const data = loadMnist(cfg.trainCount, 2000);
const init = seedMlpParams();
const g = () => w1Graph(init.sizes, cfg);

type Ws = {
  inputs: Record<string, Float32Array>;
  params: Record<string, Float32Array>;
  wasm: Record<string, () => void> | null;
};
type Mod = { createWorkspace(): Ws; step(i: unknown, p: unknown, ws: Ws): unknown };
const mod = await importJs<Mod>((await emitTs(g(), { format: false, lang: 'js', wasm })).source);
const ws = mod.createWorkspace();
for (const [k, v] of Object.entries(mlpFeeds(init))) ws.params[k]?.set(v);
const exe = await compile(g(), { wasm });
exe.setParams(mlpFeeds(init));

const batches = cfg.trainCount / cfg.batch;
let at = 0;
const next = () => {
  const s = (at++ % batches) * cfg.batch;
  return {
    x: data.train.x.subarray(s * PIXELS, (s + cfg.batch) * PIXELS),
    y: data.train.y.subarray(s * CLASSES, (s + cfg.batch) * CLASSES),
  };
};

const parts: Record<string, () => void> = {};
for (const name of Object.keys(ws.wasm ?? {})) {
  if (name === 'memory') continue;
  parts[`wasm ${name}`] = () => ws.wasm![name]!();
}
parts['input copy (x, y)'] = () => {
  const b = next();
  ws.inputs['x']!.set(b.x);
  ws.inputs['y']!.set(b.y);
};
parts['module step (copy + kernels)'] = () => {
  const b = next();
  ws.inputs['x']!.set(b.x);
  ws.inputs['y']!.set(b.y);
  mod.step(ws.inputs, ws.params, ws);
};
const N = 500;
const best = new Map<string, number>();
const cpuUs = (f: () => void) => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / N;
};
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of Object.entries(parts)) {
    // Each part sees real batches: the zero pattern of x is what a step sees.
    const b = next();
    ws.inputs['x']!.set(b.x);
    ws.inputs['y']!.set(b.y);
    const us = cpuUs(f);
    best.set(name, Math.min(best.get(name) ?? Infinity, us));
  }
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await exe.step(next());
  const d = process.cpuUsage(t0);
  const us = (d.user + d.system) / N;
  best.set('Executable.step', Math.min(best.get('Executable.step') ?? Infinity, us));
}
console.log(`W1 step profile, wasm ${wasm}, best of ${rounds} rounds × ${N} calls (CPU µs/call)`);
for (const [name, us] of best) console.log(`${name.padEnd(40)} ${us.toFixed(1)}`);
const step = best.get('Executable.step')!;
console.log(`Executable.step: ${Math.round((1e6 / step) * cfg.batch)} samples per CPU-second`);
