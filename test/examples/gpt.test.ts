// examples/gpt at test size: the reverse-digits task reaches ≥ 95% held-out exact match (on
// WGSL too, with a loss curve equal to TS's); the fine-tuning recipe (pretrain → save →
// non-strict load with LoRA → fine-tune) learns the new task with only adapters training; the
// char LM trains and its KV-cache greedy decode equals greedy decoding by full forward passes.
import { expect, test } from 'vitest';
import { trainDigits } from '../../examples/gpt/digits.ts';
import { finetune } from '../../examples/gpt/finetune.ts';
import { evalGraph, decodeGraph } from '../../examples/gpt/model.ts';
import { sample, sampleNoCache, sharedWeights, trainCharLm } from '../../examples/gpt/train.ts';
import { compile } from '../../src/index.ts';
import { testOnTargets } from './targets.ts';

// TS only at this size: 120 WGSL steps of ~110 dispatches each take minutes on lavapipe (the
// one-block test below trains on WGSL; the WGSL GPT step and decode step are checked against the
// interpreter in test/nn/transformer.test.ts).
test('gpt: reversing 3-digit strings reaches ≥ 95% held-out exact match [ts]', async () => {
  const o = { task: 'reverse' as const, target: 'ts' as const, digits: 3, steps: 120, lr: 3e-3 };
  const r = await trainDigits({ ...o, seed: 0, log: null });
  expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
});

// Both targets, test-sized: one block (d 32, 4 heads) for 60 steps. Only attention moves
// information between positions, so the task still needs it; on lavapipe this is ~60 WGSL
// dispatches per step where the 2-block model above takes ~110. On WGSL the whole loss curve
// must also equal TS's to float32 accuracy (same init, same batches).
testOnTargets(
  'gpt: one block reverses 3-digit strings, ≥ 95% held-out exact match',
  async (target) => {
    const o = { task: 'reverse' as const, digits: 3, steps: 60, lr: 3e-3, layers: 1, seed: 0 };
    const r = await trainDigits({ ...o, target, log: null });
    console.log(
      `reverse digits [${target}]: ${(100 * r.accuracy).toFixed(1)}% after ${o.steps} steps, ${r.seconds.toFixed(1)} s of training`,
    );
    expect(r.train.target).toBe(target);
    expect(r.losses.length).toBe(o.steps);
    expect(r.loss).toBeLessThan(0.1);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    if (target !== 'wgsl') return;
    const ts = await trainDigits({ ...o, target: 'ts', log: null });
    r.losses.forEach((l, i) =>
      expect(Math.abs(l - ts.losses[i]!), `step ${i}`).toBeLessThan(1e-4 + 1e-3 * ts.losses[i]!),
    );
  },
);

test('gpt fine-tuning: LoRA on a copy-pretrained model learns to reverse [ts]', async () => {
  const r = await finetune({
    target: 'ts',
    digits: 3,
    pretrain: 100,
    steps: 120,
    rank: 4,
    lr: 3e-3,
    layers: 1,
    log: null,
  });
  expect(r.copy.accuracy).toBeGreaterThanOrEqual(0.95);
  expect(r.report.unexpected).toEqual([]);
  expect(r.report.missing.every((n) => n.includes('.lora_'))).toBe(true);
  expect(r.trainable / r.total).toBeLessThan(0.2);
  expect(r.before.accuracy).toBeLessThan(0.2);
  expect(r.after.accuracy).toBeGreaterThanOrEqual(0.9);
  expect(r.after.loss).toBeLessThan(r.before.loss / 10);
});

test('gpt char LM: loss falls; KV-cache greedy decode equals full-forward greedy decode [ts]', async () => {
  const o = {
    target: 'ts' as const,
    layers: 1,
    heads: 2,
    width: 16,
    context: 16,
    batch: 8,
    steps: 30,
    lr: 1e-2,
    seed: 0,
    log: null,
  };
  const r = await trainCharLm(o);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  expect(mean(r.losses.slice(-5))).toBeLessThan(mean(r.losses.slice(0, 5)) - 0.5);
  const decode = await compile(decodeGraph(r.cfg), { target: 'ts' });
  decode.setParams(sharedWeights(r.exe, decode));
  const full = await compile(evalGraph({ ...r.cfg, batch: 1 }), { target: 'ts' });
  full.setParams(sharedWeights(r.exe, full));
  const prompt = 'The ';
  const cached = await sample(decode, r.vocab, prompt, 10, { temperature: 0, rand: Math.random });
  const plain = await sampleNoCache(full, o.context, r.vocab.encode(prompt), 10);
  expect(cached.text).toBe(r.vocab.decode(plain.ids));
});
