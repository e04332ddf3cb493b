// Train the four deep-network variants on MNIST with the same data and steps, record each
// layer's gradient norm at every step (outputs of the compiled step), write one SVG of per-layer
// curves per variant to gen/, and print the final accuracy of each.
// Run: npx tsx examples/gradient-flow/train.ts [--train N] [--test N] [--epochs N] [--lr X]
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { compile } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';
import { isMain, parseFlags } from '../common/cli.ts';
import type { Variant } from './deep.ts';
import { deepNet, LAYER_WEIGHTS, VARIANTS } from './deep.ts';

export interface FlowResult {
  readonly variant: Variant;
  readonly records: readonly nn.GradNormRecord[];
  readonly accuracy: number;
}

export interface FlowOptions {
  readonly train: number;
  readonly test: number;
  readonly epochs: number;
  readonly lr: number;
  readonly seed: number;
}

export async function trainVariant(v: Variant, o: FlowOptions): Promise<FlowResult> {
  const { train, test } = nn.loadMnistIdx({ train: o.train, validation: 0, test: o.test });
  const step = await compile(deepNet(v, 'train'), { target: 'ts', seed: o.seed });
  const infer = await compile(deepNet(v, 'infer', 100), { target: 'ts' });
  const records: nn.GradNormRecord[] = [];
  await nn.fit(step, nn.mnistDataset(train), {
    epochs: o.epochs,
    lrSchedule: o.lr,
    shuffleSeed: o.seed,
    out: null,
    onProgress: (p) => records.push({ step: p.step, norms: p.gradNorms ?? {} }),
  });
  nn.copyParams(step, infer);
  const { accuracy } = await nn.evaluate(infer, nn.mnistDataset(test));
  return { variant: v, records, accuracy };
}

if (isMain(import.meta.url)) {
  const usage =
    'npx tsx examples/gradient-flow/train.ts [--train N] [--test N] [--epochs N] [--lr X]';
  const f = parseFlags(usage, {
    train: 10_000,
    test: 2_000,
    epochs: 1,
    lr: 0.05,
    seed: 0,
    out: 'gen',
  });
  mkdirSync(f.out, { recursive: true });
  for (const v of VARIANTS) {
    const r = await trainVariant(v, f);
    const first = r.records[0]!.norms;
    const file = join(f.out, `gradient-flow-${v}.svg`);
    writeFileSync(file, nn.plotGradNorms(r.records, `${v}: ‖∂L/∂W‖ per layer`, LAYER_WEIGHTS));
    const ratio = (first['layer1.W'] ?? NaN) / (first[`layer${LAYER_WEIGHTS.length}.W`] ?? NaN);
    console.log(
      `${v.padEnd(9)}  accuracy ${(100 * r.accuracy).toFixed(1)}%  first step ‖∂L/∂layer1.W‖ / ‖∂L/∂layer10.W‖ = ${ratio.toExponential(2)}  (${file})`,
    );
  }
}
