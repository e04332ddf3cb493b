// Train the two-moons classifier with nn.fit (validation on a separately seeded set) and print
// `test accuracy: NN.N%`.
// Run: npx tsx examples/binary/train.ts [--target ts|wgsl] [--epochs N] [--lr X]
import type { ExampleTarget } from '../common/cli.ts';
import { accuracyLine, isMain, parseFlags } from '../common/cli.ts';
import type { ClassifierResult, ClassifierRun } from '../common/classify.ts';
import { trainClassifier } from '../common/classify.ts';
import twoMoons, { moons } from './model.ts';

export interface MoonsData {
  readonly train: number;
  readonly test: number;
}

/** Train on `train` points seeded by `seed`; test on `test` points seeded by seed + 1000. */
export function trainMoons(o: ClassifierRun & MoonsData): Promise<ClassifierResult> {
  return trainClassifier(twoMoons, moons(o.train, o.seed), moons(o.test, o.seed + 1000), o);
}

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/binary/train.ts [--target ts|wgsl] [--epochs N] [--lr X] [--train N] [--test N] [--seed N]';
  const f = parseFlags(usage, {
    target: 'ts',
    epochs: 30,
    lr: 0.01,
    train: 1000,
    test: 500,
    seed: 0,
  });
  const r = await trainMoons({ ...f, target: f.target as ExampleTarget, log: process.stdout });
  console.log(`trained in ${r.seconds.toFixed(1)} s`);
  console.log(accuracyLine(r.accuracy));
}
