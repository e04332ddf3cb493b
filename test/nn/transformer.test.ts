// Transformer layers: attention, layer norm and the pre-LN block against finite differences;
// a tiny GPT train step against the interpreter on TS and WGSL; KV-cache decode logits equal the
// full forward pass; sampling with temperature and top-k.
import { describe, expect, test } from 'vitest';
import { gradCheck, formatGradCheck } from '../../src/autodiff/check.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { initParams, interpret } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32, normal } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { multiHeadAttention } from '../../src/nn/attention.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import { layerNorm } from '../../src/nn/norm.ts';
import { adam } from '../../src/nn/optim.ts';
import { sampleLogits } from '../../src/nn/sample.ts';
import type { GptConfig } from '../../src/nn/transformer.ts';
import { gpt, gptDecodeStep, transformerBlock } from '../../src/nn/transformer.ts';
import { evalStep, trainStep } from '../../src/nn/train.ts';
import { testOnTargets } from '../examples/targets.ts';

const CFG: GptConfig = { vocab: 7, context: 6, dModel: 8, heads: 2, layers: 2 };

function rand(n: number, seed: number, scale = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => scale * (2 * r() - 1));
}

/** Σ out ⊙ R for a fixed random R: a loss whose gradient reaches every output element. */
function probe(out: Node): Node {
  const r = out.graph.param('probe', out.shape, normal(1, 0), false);
  return B.sum(B.mul(out, r));
}

function check(build: (x: Node) => Node, xShape: number[], seed: number) {
  const g = new Graph('fd');
  const x = g.input('x', xShape);
  const loss = probe(build(x));
  const wrt = [x, ...[...g.params.values()].filter((p) => p.trainable).map((p) => p.node)];
  const params = initParams(g, seed);
  // Small random weights are too tame for a check: perturb the gains and biases too.
  for (const [k, v] of Object.entries(params))
    params[k] = v.map((e, i) => e + 0.3 * rand(v.length, seed + i)[i]!);
  const report = gradCheck(g, loss, wrt, { x: rand(x.size, seed + 1) }, params, {
    maxElements: 24,
  });
  expect(report.pass, formatGradCheck(report)).toBe(true);
  return report;
}

describe('gradients against finite differences', () => {
  test('causal multi-head attention', () => {
    const r = check((x) => multiHeadAttention(x, { name: 'attn', heads: 2 }), [2, 3, 4], 1);
    expect(r.targets.map((t) => t.name)).toContain('attn.q.W');
  });

  test('layer norm', () => {
    check((x) => layerNorm(x, { name: 'ln' }), [2, 3, 5], 2);
  });

  test('pre-LN transformer block (attention, GELU MLP, residuals)', () => {
    const r = check((x) => transformerBlock(x, { ...CFG, dModel: 4 }, 0), [1, 3, 4], 3);
    expect(r.targets.length).toBe(1 + 4 * 2 + 2 * 2 + 2 * 2);
  });
});

test('the causal mask: changing a later token leaves earlier logits unchanged', () => {
  const g = new Graph('causal');
  g.output('logits', gpt(g.input('ids', [1, 5], 'i32'), CFG));
  const params = initParams(g, 4);
  const at = (ids: number[]) => interpret(g, { ids }, params).outputs['logits']!;
  const [a, b] = [at([1, 2, 3, 4, 5]), at([1, 2, 3, 4, 0])];
  expect(Array.from(a.subarray(0, 4 * 7))).toEqual(Array.from(b.subarray(0, 4 * 7)));
  expect(a.subarray(4 * 7)).not.toEqual(b.subarray(4 * 7));
});

function spec(cfg: GptConfig, batch: number, t: number) {
  return {
    name: 'gpt',
    input: { shape: [batch, t], dtype: 'i32' as const },
    target: { shape: [batch, t], dtype: 'i32' as const },
    build: (x: Node) => gpt(x, cfg),
    loss: sparseCrossEntropy,
    optimizer: adam(),
  };
}

/** WGSL compiles one pipeline per kernel (slow on lavapipe): one block there, two on TS. */
const sized = (target: string): GptConfig => ({ ...CFG, layers: target === 'wgsl' ? 1 : 2 });

const tokens = (n: number, seed: number) => rand(n, seed).map((v) => Math.floor((v + 1) * 3.5));

testOnTargets(
  'a GPT train step matches the interpreter (loss, logits, updated params)',
  async (target) => {
    const g = trainStep(spec({ ...sized(target), tieWeights: true }, 2, 5));
    const feeds = { x: tokens(10, 5), y: tokens(10, 6), lr: [0.01] };
    const [ref, exe] = [await compile(g, { target: 'interp' }), await compile(g, { target })];
    try {
      const [want, got] = [await ref.step(feeds), await exe.step(feeds)];
      expect(got['loss']![0]).toBeCloseTo(want['loss']![0]!, 5);
      got['pred']!.forEach((v, i) => expect(v).toBeCloseTo(want['pred']![i]!, 4));
      await exe.syncParams?.();
      for (const p of ['wte.E', 'h0.attn.q.W', 'h0.mlp.fc.W', 'ln_f.gamma']) {
        const [a, b] = [exe.params[p]!, ref.params[p]!];
        a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${p}[${i}]`).toBeLessThan(1e-5));
      }
    } finally {
      exe.dispose();
    }
  },
);

testOnTargets(
  'KV-cache decode logits equal the full forward pass, one token per call',
  async (target) => {
    const cfg = sized(target);
    const t = cfg.context;
    const full = evalStep({
      name: 'full',
      input: { shape: [1, t], dtype: 'i32' },
      build: (x) => gpt(x, cfg),
    });
    const ids = tokens(t, 7);
    const fwd = await compile(full, { target: 'interp', seed: 3 });
    const want = (await fwd.run({ x: ids }))['pred']!;
    const decode = await compile(gptDecodeStep(cfg, 1), { target });
    try {
      const shared = Object.fromEntries(Object.entries(fwd.params));
      decode.setParams(shared);
      expect(Object.keys(decode.params).filter((k) => !(k in shared)).length).toBe(2 * cfg.layers); // the caches
      for (let pos = 0; pos < t; pos++) {
        const got = (await decode.step({ token: [ids[pos]!], pos: [pos] }))['logits']!;
        const row = want.subarray(pos * CFG.vocab, (pos + 1) * CFG.vocab);
        got.forEach((v, i) => expect(Math.abs(v - row[i]!), `pos ${pos}`).toBeLessThan(1e-5));
      }
    } finally {
      decode.dispose();
    }
  },
);

test('sampling: temperature 0 is greedy, top-k never leaves the k best', () => {
  const logits = [0.1, 2, -1, 1.5, 0];
  const r = mulberry32(1);
  expect(sampleLogits(logits, { temperature: 0, rand: r })).toBe(1);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(sampleLogits(logits, { topK: 2, rand: r }));
  expect([...seen].sort()).toEqual([1, 3]);
  const hot = new Set<number>();
  for (let i = 0; i < 400; i++) hot.add(sampleLogits(logits, { temperature: 5, rand: r }));
  expect(hot.size).toBe(5);
});
