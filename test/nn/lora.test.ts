// Fine-tuning: LoRA adapters (adapted = base at init, only adapters train, merged weights give
// the same loss) and weights-only, non-strict checkpoint loading with optimizer state kept apart.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compile.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import {
  loadOptimizerState,
  loadWeights,
  saveCheckpoint,
  saveOptimizerState,
  saveWeights,
} from '../../src/node/checkpoint.ts';
import { isLoraParam, mergeLora } from '../../src/nn/lora.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import { adam } from '../../src/nn/optim.ts';
import type { GptConfig } from '../../src/nn/transformer.ts';
import { gpt } from '../../src/nn/transformer.ts';
import { trainStep } from '../../src/nn/train.ts';

const BASE: GptConfig = { vocab: 6, context: 4, dModel: 8, heads: 2, layers: 1 };
const LORA = { rank: 2, alpha: 4, targets: ['q', 'v', 'fc'] };

const model = (cfg: GptConfig, trainable?: (n: string) => boolean) =>
  trainStep({
    name: 'gpt',
    input: { shape: [2, 4], dtype: 'i32' },
    target: { shape: [2, 4], dtype: 'i32' },
    build: (x: Node) => gpt(x, cfg),
    loss: sparseCrossEntropy,
    optimizer: adam(),
    trainable,
  });

const ids = (seed: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: 8 }, () => Math.floor(r() * 6));
};
const batch = (seed: number) => ({ x: ids(seed), y: ids(seed + 100), lr: [0.05] });
const dir = () => mkdtemp(join(tmpdir(), 'gradc-lora-'));

describe('LoRA', () => {
  test('adapted = base at init; only adapters change; merged weights give the same loss', async () => {
    const base = await compile(model(BASE), { target: 'ts', seed: 1 });
    const adapted = await compile(model({ ...BASE, lora: LORA }, isLoraParam), {
      target: 'ts',
      seed: 2,
    });
    const baseWeights = Object.fromEntries(
      Object.entries(base.params).filter(([k]) => !k.includes('optimizer') && !/\.(m|v)$/.test(k)),
    );
    adapted.setParams(baseWeights);
    const loss = async (exe: typeof base, seed: number) =>
      (await exe.run(batch(seed)))['loss']![0]!;
    expect(await loss(adapted, 7)).toBe(await loss(base, 7)); // B = 0: the very same numbers
    const lora = Object.keys(adapted.params).filter(isLoraParam);
    expect(lora).toHaveLength(2 * LORA.targets.length);
    const before = Object.fromEntries(
      Object.entries(adapted.params).map(([k, v]) => [k, v.slice()]),
    );
    for (let s = 0; s < 4; s++) await adapted.step(batch(10 + s));
    for (const [k, v] of Object.entries(adapted.params)) {
      if (isLoraParam(k)) expect(v, k).not.toEqual(before[k]);
      else if (k in baseWeights) expect(v, k).toEqual(before[k]); // frozen: bit-identical
    }
    const after = await loss(adapted, 7);
    expect(after).not.toBe(await loss(base, 7));
    const merged = mergeLora(adapted.params, LORA.alpha);
    expect(Object.keys(merged).some(isLoraParam)).toBe(false);
    base.setParams(Object.fromEntries(Object.keys(baseWeights).map((k) => [k, merged[k]!])));
    expect(await loss(base, 7)).toBeCloseTo(after, 5);
  });
});

describe('weights-only, non-strict checkpoint loading', () => {
  test('loads base weights into a LoRA model, reports missing/unexpected, never optimizer state', async () => {
    const d = await dir();
    const pre = await compile(model(BASE), { target: 'ts', seed: 3 });
    for (let s = 0; s < 2; s++) await pre.step(batch(20 + s));
    await saveCheckpoint(join(d, 'full.safetensors'), pre); // weights and optimizer state
    const ft = await compile(model({ ...BASE, lora: LORA }, isLoraParam), { target: 'ts' });
    const path = join(d, 'full.safetensors');
    await expect(loadWeights(path, ft)).rejects.toThrow(
      /missing: h0\.attn\.q\.lora_A, .*load with \{ strict: false \}/,
    );
    const r = await loadWeights(path, ft, { strict: false });
    expect([...r.missing].sort()).toEqual(Object.keys(ft.params).filter(isLoraParam).sort());
    expect(r.unexpected).toEqual([]);
    expect(r.loaded).toContain('h0.attn.q.W');
    expect(ft.params['h0.attn.q.W']).toEqual(pre.params['h0.attn.q.W']);
    expect(ft.params['optimizer.t']![0]).toBe(0); // pretraining's t = 2 stays behind
    expect(ft.params['h0.attn.q.W.m']).toBeUndefined();

    // A tied model has no head: the file's head.W is unexpected.
    const tied = await compile(model({ ...BASE, tieWeights: true }), { target: 'interp' });
    await saveWeights(join(d, 'w.safetensors'), pre);
    const t = await loadWeights(join(d, 'w.safetensors'), tied, { strict: false });
    expect(t.unexpected).toEqual(['head.W']);
    expect(t.missing).toEqual([]);
  });

  test('optimizer state saves and loads apart from the weights', async () => {
    const d = await dir();
    const a = await compile(model(BASE), { target: 'interp' });
    for (let s = 0; s < 3; s++) await a.step(batch(30 + s));
    await saveOptimizerState(join(d, 'opt.safetensors'), a);
    const b = await compile(model(BASE), { target: 'interp' });
    await loadOptimizerState(join(d, 'opt.safetensors'), b);
    expect(b.params['optimizer.t']![0]).toBe(3);
    expect(b.params['h0.attn.q.W.v']).toEqual(a.params['h0.attn.q.W.v']);
    expect(b.params['h0.attn.q.W']).not.toEqual(a.params['h0.attn.q.W']); // weights untouched
  });
});
