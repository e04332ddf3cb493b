// Train the Keras-style MLP on the full MNIST set (the classic 50,000
// training digits, tested on the 10,000 of the t10k file, as the seed network) with nn.fit
// and print `test accuracy: NN.N%`.
// Run: npx tsx examples/keras-mlp/train.ts [--target ts|wgsl] [--epochs N] [--lr X]
import type { ExampleTarget } from '../common/cli.ts';
import { accuracyLine, isMain, parseFlags } from '../common/cli.ts';
import type { ClassifierResult, ClassifierRun, MnistSplit } from '../common/classify.ts';
import { mnistSplit, trainClassifier } from '../common/classify.ts';
import kerasMlp from './model.ts';

export function trainKerasMlp(o: ClassifierRun & MnistSplit): Promise<ClassifierResult> {
  const { train, test } = mnistSplit(o);
  return trainClassifier(kerasMlp, train, test, o);
}

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/keras-mlp/train.ts [--target ts|wgsl] [--epochs N] [--lr X] [--train N] [--test N] [--seed N]';
  const defaults = {
    target: 'ts',
    epochs: 5,
    lr: 1e-3,
    train: 50_000,
    test: 10_000,
    seed: 0,
  };
  const f = parseFlags(usage, defaults);
  const r = await trainKerasMlp({ ...f, target: f.target as ExampleTarget, log: process.stdout });
  console.log(`trained in ${r.seconds.toFixed(1)} s`);
  console.log(accuracyLine(r.accuracy));
}
