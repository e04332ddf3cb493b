// Overfitting and three remedies on a small MNIST training subset: train the same network with no
// regularizer, with L1, with L2 and with dropout for the same epochs on the first 1,000 training
// digits, record train and test accuracy after every epoch, write one SVG of both curves per
// variant to gen/ and print the final train/test accuracy and the gap of each.
// Run: npx tsx examples/regularization/train.ts [--train 1000] [--test 10000] [--epochs 40]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nn } from '../../src/node/index.ts';
import { mnistSplit } from '../common/classify.ts';
import type { ExampleTarget } from '../common/cli.ts';
import { compileFor, isMain, parseFlags } from '../common/cli.ts';
import type { Regularizer, Strengths } from './model.ts';
import { REGULARIZERS, regularized, STRENGTHS } from './model.ts';

export interface RegOptions {
  readonly train: number;
  readonly test: number;
  readonly epochs: number;
  readonly lr: number;
  readonly seed: number;
  readonly target: ExampleTarget;
  readonly strengths?: Strengths;
}

export interface RegResult {
  readonly regularizer: Regularizer;
  /** Train loss/accuracy and test accuracy (valAccuracy) after every epoch. */
  readonly history: readonly nn.EpochStats[];
  /** Accuracy on the training digits after the last epoch (eval mode: no dropout mask). */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** The trained weight matrices, for the tests (L1 zeros weights, L2 shrinks them). */
  readonly weights: readonly Float32Array[];
}

export async function trainRegularized(r: Regularizer, o: RegOptions): Promise<RegResult> {
  const { train, test } = mnistSplit(o);
  const model = regularized(r, o.strengths);
  const step = await compileFor(model({ mode: 'train' }), o.target, o.seed);
  const infer = await compileFor(model({ mode: 'infer', batch: 100 }), o.target);
  const history = await nn.fit(step, train, {
    epochs: o.epochs,
    lrSchedule: o.lr,
    shuffleSeed: o.seed,
    validation: { executable: infer, data: test },
    out: null,
  });
  await step.syncParams?.();
  nn.copyParams(step, infer);
  const trainAccuracy = (await nn.evaluate(infer, train)).accuracy;
  const testAccuracy = (await nn.evaluate(infer, test)).accuracy;
  const weights = ['dense1.W', 'dense2.W'].map((w) => step.params[w]!.slice());
  step.dispose();
  infer.dispose();
  return { regularizer: r, history, trainAccuracy, testAccuracy, weights };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/regularization/train.ts [--train N] [--test N] [--epochs N] [--lr X] [--l1 X] [--l2 X] [--dropout X] [--only none,l1,l2,dropout] [--out DIR]';
  const f = parseFlags(usage, {
    train: 1000,
    test: 10_000,
    epochs: 40,
    lr: 1e-3,
    seed: 0,
    target: 'ts',
    out: 'gen',
    l1: STRENGTHS.l1,
    l2: STRENGTHS.l2,
    dropout: STRENGTHS.dropout,
    only: 'all',
  });
  const strengths = { l1: f.l1, l2: f.l2, dropout: f.dropout };
  mkdirSync(f.out, { recursive: true });
  const t0 = performance.now();
  for (const r of REGULARIZERS.filter((v) => f.only === 'all' || f.only.split(',').includes(v))) {
    const res = await trainRegularized(r, { ...f, target: f.target as ExampleTarget, strengths });
    const file = join(f.out, `regularization-${r}.svg`);
    await nn.writePlot(file, res.history, `${r}: train vs test (${f.train} training digits)`);
    const gap = res.trainAccuracy - res.testAccuracy;
    const best = Math.max(...res.history.map((h) => h.valAccuracy ?? 0));
    console.log(
      `${r.padEnd(8)} train ${pct(res.trainAccuracy)}  test ${pct(res.testAccuracy)} (best epoch ${pct(best)})  gap ${pct(gap)}  (${file})`,
    );
  }
  console.log(
    `${f.epochs} epochs × 4 variants in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
}
