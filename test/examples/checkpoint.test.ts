// Save → load → identical outputs, on the TypeScript target, for the keras-mlp example: a trained
// model's checkpoint loaded into a fresh, differently seeded executable predicts the same logits.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import kerasMlp from '../../examples/keras-mlp/model.ts';
import { compile } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';

test('keras-mlp: save → load → identical predictions and optimizer state', async () => {
  const { train } = nn.loadMnist({ train: 64, test: 0 });
  const step = await compile(kerasMlp({ mode: 'train' }), { target: 'ts', seed: 1 });
  for (const b of nn.batches(nn.mnistDataset(train), 32)) {
    await step.step({ x: b.x, y: b.y, lr: [1e-3] });
  }
  const path = join(mkdtempSync(join(tmpdir(), 'gradc-ex-ckpt-')), 'keras-mlp.safetensors');
  await nn.saveCheckpoint(path, step);

  const fresh = await compile(kerasMlp({ mode: 'train' }), { target: 'ts', seed: 2 });
  await nn.loadCheckpoint(path, fresh);
  expect(fresh.params['dense1.W.m']).toEqual(step.params['dense1.W.m']);
  expect(fresh.params['optimizer.t']).toEqual(step.params['optimizer.t']);
  const infer = await compile(kerasMlp({ mode: 'infer', batch: 32 }), { target: 'ts', seed: 3 });
  await nn.loadCheckpoint(path, infer);
  const feeds = { x: train.images.subarray(0, 32 * 784), y: train.labels.subarray(0, 32) };
  // run() on a train graph still asks for its `lr` input, though the forward pass ignores it.
  const trainFeeds = { ...feeds, lr: [0] };
  const b = await infer.run(feeds);
  expect(b['pred']).toEqual((await fresh.run(trainFeeds))['pred']);
  expect(b['pred']).toEqual((await step.run(trainFeeds))['pred']);
});
