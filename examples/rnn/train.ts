// Backpropagation through time, watched: train the Elman RNN and the LSTM on "name the first of
// T symbols", record ‖∂L/∂hₜ‖ for every time step at every training step (outputs of the compiled
// step), and write three SVGs to gen/: the gradient reaching each step for both cells (the RNN's
// vanishes going back in time, the LSTM's does not), an RNN in the exploding regime with and
// without global-norm clipping, and the training curves. Prints held-out accuracies.
// Run: npx tsx examples/rnn/train.ts [--steps 30] [--iters 600] [--target ts|wgsl]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Executable } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';
import type { ExampleTarget } from '../common/cli.ts';
import { compileFor, isMain, parseFlags } from '../common/cli.ts';
import type { SeqConfig } from './model.ts';
import { firstSymbolBatch, seqEvalStep, seqRandom, seqTrainStep, stateNames } from './model.ts';

export interface SeqRun {
  readonly iters: number;
  readonly lr: number;
  readonly seed: number;
  readonly target: ExampleTarget;
  /** Held-out sequences for the final accuracy. */
  readonly test: number;
}

export interface SeqResult {
  readonly config: SeqConfig;
  /** Loss at every training step (NaN/∞ kept: that is what exploding looks like). */
  readonly losses: readonly number[];
  /** ‖∂L/∂hₜ‖ per time step t (index t − 1), at every training step. */
  readonly stepNorms: readonly (readonly number[])[];
  /** The global gradient norm before clipping, at every step (when clipping). */
  readonly globalNorms: readonly number[];
  readonly accuracy: number;
}

/** Fraction of `n` fresh sequences whose first symbol the trained net names. */
async function heldOut(train: Executable, c: SeqConfig, o: SeqRun): Promise<number> {
  const batch = 100;
  const exe = await compileFor(seqEvalStep(c, batch), o.target, o.seed);
  nn.copyParams(train, exe);
  const rand = seqRandom(o.seed + 1_000_003); // never the training stream
  let correct = 0;
  for (let i = 0; i < o.test; i += batch) {
    const { x, y } = firstSymbolBatch(rand, batch, c.steps, c.symbols);
    const { pred } = await exe.step({ x, y });
    correct += nn.countCorrect(pred!, y, batch);
  }
  exe.dispose();
  return correct / (Math.ceil(o.test / batch) * batch);
}

export async function trainSeq(c: SeqConfig, o: SeqRun): Promise<SeqResult> {
  const exe = await compileFor(seqTrainStep(c), o.target, o.seed);
  const rand = seqRandom(o.seed);
  const names = stateNames(c);
  const losses: number[] = [];
  const stepNorms: number[][] = [];
  const globalNorms: number[] = [];
  for (let i = 0; i < o.iters; i++) {
    const { x, y } = firstSymbolBatch(rand, c.batch, c.steps, c.symbols);
    const out = await exe.step({ x, y, lr: [o.lr] });
    losses.push(out['loss']![0]!);
    const norms = nn.gradNormsOf(out);
    stepNorms.push(names.map((n) => norms[n] ?? NaN));
    if (out['grad_norm']) globalNorms.push(out['grad_norm'][0]!);
  }
  const accuracy = await heldOut(exe, c, o);
  exe.dispose();
  return { config: c, losses, stepNorms, globalNorms, accuracy };
}

/** Mean ‖∂L/∂hₜ‖ over training steps [from, to) for each t. */
function meanNorms(r: SeqResult, from: number, to: number): number[] {
  const rows = r.stepNorms.slice(from, to);
  return Array.from(
    { length: r.config.steps },
    (_, t) => rows.reduce((a, n) => a + n[t]!, 0) / rows.length,
  );
}

/** ‖∂L/∂hₜ‖ against t (log10), one curve per named series of per-step values. */
function perStepPlot(curves: readonly { name: string; norms: readonly number[] }[], title: string) {
  const records = curves[0]!.norms.map((_, t) => ({
    step: t + 1,
    norms: Object.fromEntries(curves.map((c) => [c.name, c.norms[t]!])),
  }));
  return nn.plotGradNorms(records, title, undefined, 'time step t (h₁ … h_T)');
}

/** ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ of per-step norms. */
const reach = (norms: readonly number[]) => norms[0]! / norms[norms.length - 1]!;

const fmtPct = (v: number) => `${(100 * v).toFixed(1)}%`;

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/rnn/train.ts [--steps T] [--symbols K] [--hidden H] [--iters N] [--lr X] [--gain G] [--target ts|wgsl] [--out DIR]';
  const f = parseFlags(usage, {
    steps: 30,
    symbols: 4,
    hidden: 32,
    iters: 600,
    lr: 0.01,
    gain: 3,
    sgdLr: 0.5,
    seed: 0,
    test: 1000,
    target: 'ts',
    out: 'gen',
  });
  mkdirSync(f.out, { recursive: true });
  const base = { steps: f.steps, symbols: f.symbols, hidden: f.hidden, batch: 32 };
  const run: SeqRun = { ...f, target: f.target as ExampleTarget };
  const t0 = performance.now();

  // 1. Long-range memory: the same budget for both cells.
  const rnn = await trainSeq({ ...base, cell: 'rnn' }, run);
  const lstm = await trainSeq({ ...base, cell: 'lstm', timeScale: f.steps }, run);
  const ratio = (r: SeqResult) => reach(r.stepNorms[0]!);
  const early = (r: SeqResult) => meanNorms(r, 0, 10);
  const late = (r: SeqResult) => meanNorms(r, r.stepNorms.length - 10, r.stepNorms.length);
  for (const r of [rnn, lstm]) {
    console.log(
      `${r.config.cell.padEnd(4)} T=${f.steps}: held-out accuracy ${fmtPct(r.accuracy)} (chance ${fmtPct(1 / f.symbols)}); ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ = ${reach(early(r)).toExponential(2)} over the first 10 steps, ${reach(late(r)).toExponential(2)} over the last 10`,
    );
  }
  const memory = [
    { name: 'RNN, first 10 steps', norms: early(rnn) },
    { name: 'RNN, last 10 steps', norms: late(rnn) },
    { name: 'LSTM, first 10 steps', norms: early(lstm) },
    { name: 'LSTM, last 10 steps', norms: late(lstm) },
  ];
  writeFileSync(
    join(f.out, 'rnn-grad-per-step.svg'),
    perStepPlot(memory, `‖∂L/∂hₜ‖ (mean over 10 training steps), T = ${f.steps}`),
  );

  // 2. Exploding: an Elman RNN with recurrent gain > 1, plain SGD, with and without clipping.
  const hot = { ...base, cell: 'rnn' as const, gain: f.gain, optimizer: 'sgd' as const };
  const sgd = { ...run, lr: f.sgdLr, iters: Math.min(f.iters, 200) };
  const raw = await trainSeq(hot, sgd);
  const clipped = await trainSeq({ ...hot, clipNorm: 1 }, sgd);
  for (const [name, r] of [
    ['no clipping', raw],
    ['clip at 1', clipped],
  ] as const) {
    const bad = r.losses.filter((l) => !Number.isFinite(l)).length;
    const peak = Math.max(...r.losses.filter(Number.isFinite));
    console.log(
      `rnn gain ${f.gain}, SGD ${name.padEnd(11)}: ratio ${ratio(r).toExponential(2)}, max finite loss ${peak.toFixed(2)}, non-finite losses ${bad}/${r.losses.length}, held-out ${fmtPct(r.accuracy)}`,
    );
  }
  writeFileSync(
    join(f.out, 'rnn-exploding.svg'),
    perStepPlot(
      [{ name: `Elman RNN, gain ${f.gain}`, norms: raw.stepNorms[0]! }],
      '‖∂L/∂hₜ‖ at the first step',
    ),
  );
  const curves = [
    { name: `rnn gain ${f.gain}, no clip`, r: raw },
    { name: `rnn gain ${f.gain}, clip 1`, r: clipped },
  ];
  const records = raw.losses.map((_, i) => ({
    step: i + 1,
    norms: Object.fromEntries(curves.map(({ name, r }) => [name, r.losses[i]!])),
  }));
  writeFileSync(
    join(f.out, 'rnn-clipping-loss.svg'),
    nn.plotGradNorms(records, 'training loss (log10), SGD', undefined, 'training step'),
  );
  console.log(`wrote ${f.out}/rnn-*.svg in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
