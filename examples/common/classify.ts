// The shared body of the classifier examples: compile a model's train and infer graphs, run
// nn.fit with per-epoch validation on the held-out set, then measure the final test accuracy.
import type { ModelOptions } from '../../src/cli/contract.ts';
import type { Graph } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';
import type { ExampleTarget } from './cli.ts';
import { compileFor } from './cli.ts';

export interface ClassifierRun {
  readonly target: ExampleTarget;
  readonly epochs: number;
  readonly lr: number | nn.LrSchedule;
  /** Seed of the param init and the per-epoch shuffles. */
  readonly seed: number;
  /** Progress output (null: silent). */
  readonly log: nn.ProgressOut | null;
  /** Batch of the inference graph (default 100). */
  readonly evalBatch?: number;
  /** The per-epoch log line (default nn.epochLine). */
  readonly epochLine?: (s: nn.EpochStats, epochs: number) => string;
}

export interface ClassifierResult {
  readonly history: readonly nn.EpochStats[];
  readonly accuracy: number;
  /** Wall time of compile + training + evaluation. */
  readonly seconds: number;
}

export async function trainClassifier(
  model: (opts: Partial<ModelOptions>) => Graph,
  train: nn.Dataset,
  test: nn.Dataset,
  o: ClassifierRun,
): Promise<ClassifierResult> {
  const t0 = performance.now();
  const say = (s: string) => o.log?.write(`${s}\n`);
  const step = await compileFor(model({ mode: 'train' }), o.target, o.seed, say);
  const infer = await compileFor(model({ mode: 'infer', batch: o.evalBatch ?? 100 }), o.target);
  say(`compiled for ${step.target} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const history = await nn.fit(step, train, {
    epochs: o.epochs,
    lrSchedule: o.lr,
    shuffleSeed: o.seed,
    validation: { executable: infer, data: test },
    out: o.log,
    ...(o.epochLine ? { epochLine: o.epochLine } : {}),
  });
  await step.syncParams?.(); // WebGPU: params back from the device
  nn.copyParams(step, infer);
  const { accuracy } = await nn.evaluate(infer, test);
  step.dispose();
  infer.dispose();
  return { history, accuracy, seconds: (performance.now() - t0) / 1000 };
}

/** Flags shared by the MNIST examples: how many of the classic splits' digits to use. */
export interface MnistSplit {
  /** The first N of the 50,000 training digits. */
  readonly train: number;
  /** The first N of the 10,000 test digits (the t10k file). */
  readonly test: number;
}

/** The MNIST split as datasets with i32 labels or one-hot targets. */
export function mnistSplit(s: MnistSplit, targets: 'labels' | 'onehot' = 'labels') {
  const { train, test } = nn.loadMnistIdx({ train: s.train, validation: 0, test: s.test });
  return { train: nn.mnistDataset(train, targets), test: nn.mnistDataset(test, targets) };
}
