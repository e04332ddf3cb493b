// Train the small CNN on MNIST (the same 8,000/2,000 split as the seed network) with nn.fit
// and print `test accuracy: NN.N%`.
// Run: npx tsx examples/cnn/train.ts [--target ts|wgsl] [--epochs N] [--lr X]
import type { ExampleTarget } from '../common/cli.ts';
import { accuracyLine, isMain, parseFlags } from '../common/cli.ts';
import type { ClassifierResult, ClassifierRun, MnistSplit } from '../common/classify.ts';
import { mnistSplit, trainClassifier } from '../common/classify.ts';
import mnistCnn from './model.ts';

export function trainCnn(o: ClassifierRun & MnistSplit): Promise<ClassifierResult> {
  const { train, test } = mnistSplit(o);
  return trainClassifier(mnistCnn, train, test, o);
}

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/cnn/train.ts [--target ts|wgsl] [--epochs N] [--lr X] [--train N] [--test N] [--seed N] [--split N]';
  const defaults = {
    target: 'ts',
    epochs: 5,
    lr: 2e-3,
    train: 8000,
    test: 2000,
    seed: 0,
    split: 0,
  };
  const f = parseFlags(usage, defaults);
  const r = await trainCnn({ ...f, target: f.target as ExampleTarget, log: process.stdout });
  console.log(`trained in ${r.seconds.toFixed(1)} s`);
  console.log(accuracyLine(r.accuracy));
}
