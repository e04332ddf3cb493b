// Fit the line with the compiled SGD step, one mini-batch at a time through Executable.step, and
// print the learned w and b next to the ones that generated the data.
// Run: npx tsx examples/linear-regression/train.ts [--target ts|wgsl] [--epochs N] [--lr X]
import type { ExampleTarget } from '../common/cli.ts';
import { compileFor, isMain, parseFlags } from '../common/cli.ts';
import { nn } from '../../src/index.ts';
import linearRegression, { BATCH, lineData, TRUE_B, TRUE_W } from './model.ts';

export interface LineOptions {
  readonly target: ExampleTarget;
  readonly epochs: number;
  readonly lr: number;
  readonly samples: number;
  readonly seed: number;
  readonly log: (line: string) => void;
}

export interface LineResult {
  readonly w: number;
  readonly b: number;
  /** Mean loss of each epoch. */
  readonly losses: readonly number[];
  readonly seconds: number;
}

export async function trainLine(o: LineOptions): Promise<LineResult> {
  const t0 = performance.now();
  const data = lineData(o.samples, o.seed);
  const exe = await compileFor(linearRegression({ mode: 'train' }), o.target, o.seed, o.log);
  const losses: number[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let sum = 0;
    let steps = 0;
    for (const b of nn.batches(nn.shuffle(data, o.seed + epoch), BATCH)) {
      const out = await exe.step({ x: b.x, y: b.y, lr: [o.lr] });
      sum += out['loss']![0]!;
      steps++;
    }
    losses.push(sum / steps);
    await exe.syncParams?.(); // WebGPU: params back from the device
    const [w, b] = [exe.params['line.W']![0]!, exe.params['line.b']![0]!];
    o.log(
      `epoch ${epoch}/${o.epochs}  loss ${(sum / steps).toFixed(6)}  w ${w.toFixed(4)}  b ${b.toFixed(4)}`,
    );
  }
  const result = {
    w: exe.params['line.W']![0]!,
    b: exe.params['line.b']![0]!,
    losses,
    seconds: (performance.now() - t0) / 1000,
  };
  exe.dispose();
  return result;
}

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/linear-regression/train.ts [--target ts|wgsl] [--epochs N] [--lr X] [--samples N] [--seed N]';
  const f = parseFlags(usage, { target: 'ts', epochs: 20, lr: 0.1, samples: 400, seed: 0 });
  const r = await trainLine({ ...f, target: f.target as ExampleTarget, log: console.log });
  console.log(
    `learned w = ${r.w.toFixed(4)}, b = ${r.b.toFixed(4)} (data from w = ${TRUE_W}, b = ${TRUE_B}) in ${r.seconds.toFixed(1)} s`,
  );
}
