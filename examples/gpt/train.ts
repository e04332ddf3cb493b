// A decoder-only character-level language model trained on English prose that ships with
// TypeScript (no download), then sampled through the KV-cache decode step (one token per call),
// with decode speed measured against recomputing the whole prefix for every token.
// Run: npx tsx examples/gpt/train.ts [--target ts|wgsl] [--layers 2] [--heads 4] [--width 48]
//      [--context 32] [--batch 16] [--steps 300] [--temperature 0.8] [--top-k 10]
import type { Executable } from '../../src/index.ts';
import { nn } from '../../src/index.ts';
import type { ExampleTarget } from '../common/cli.ts';
import { compileFor, isMain, parseFlags, since } from '../common/cli.ts';
import { charVocab, loadCorpus, seeded, windows } from './data.ts';
import type { GptExampleConfig } from './model.ts';
import { decodeGraph, evalGraph, trainGraph } from './model.ts';

export interface CharLmOptions {
  readonly target: ExampleTarget;
  readonly layers: number;
  readonly heads: number;
  readonly width: number;
  readonly context: number;
  readonly batch: number;
  readonly steps: number;
  readonly lr: number;
  readonly seed: number;
  readonly log: ((s: string) => void) | null;
}

/** Train on random windows of the corpus; returns the executable and the loss curve. */
export async function trainCharLm(o: CharLmOptions) {
  const text = loadCorpus();
  const vocab = charVocab(text);
  const ids = vocab.encode(text);
  const cfg: GptExampleConfig = {
    vocab: vocab.chars.length,
    context: o.context,
    seq: o.context,
    dModel: o.width,
    heads: o.heads,
    layers: o.layers,
    batch: o.batch,
    tieWeights: true,
  };
  let t0 = performance.now();
  const exe = await compileFor(trainGraph(cfg), o.target, o.seed);
  o.log?.(`compiled the training step in ${since(t0)}s: ${exe.report?.kernels} kernels`);
  const lr = nn.cosineLr(o.lr, o.steps, o.lr / 10, Math.ceil(o.steps / 10));
  const rand = seeded(o.seed + 1);
  const losses: number[] = [];
  t0 = performance.now();
  for (let s = 0; s < o.steps; s++) {
    const b = windows(ids, o.batch, o.context, rand);
    losses.push((await exe.step({ ...b, lr: [lr(s)] }))['loss']![0]!);
    if (o.log && (s + 1) % 50 === 0) o.log(`step ${s + 1}  loss ${losses[s]!.toFixed(4)}`);
  }
  const secs = (performance.now() - t0) / 1000;
  o.log?.(`${((o.steps * o.batch * o.context) / secs).toFixed(0)} training tokens/s`);
  await exe.syncParams?.();
  return { exe, cfg, vocab, losses };
}

/** Weights of a training executable that another graph (eval, decode) also has. */
export function sharedWeights(from: Executable, to: Executable): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(from.params).filter(([k]) => to.graph.params.has(k)));
}

/** Sample `count` characters after `prompt` through the KV cache; tokens/s of the decode loop. */
export async function sample(
  decode: Executable,
  vocab: ReturnType<typeof charVocab>,
  prompt: string,
  count: number,
  opts: nn.SampleOptions,
) {
  const t0 = performance.now();
  const out = await nn.generate(decode, vocab.encode(prompt), count, opts);
  const tokensPerSec = (prompt.length + count) / ((performance.now() - t0) / 1000);
  return { text: vocab.decode(out), tokensPerSec };
}

/** The same greedy continuation without a cache: a full forward pass of the prefix per token. */
export async function sampleNoCache(
  full: Executable,
  context: number,
  prompt: number[],
  count: number,
) {
  const t0 = performance.now();
  const seq = [...prompt];
  for (let i = 0; i < count; i++) {
    const x = new Int32Array(context);
    x.set(seq.slice(-context));
    const p = Math.min(seq.length, context) - 1;
    const logits = (await full.run({ x }))['pred']!;
    const v = logits.length / context;
    seq.push(nn.argmax(logits.subarray(p * v, (p + 1) * v), 1)[0]!);
  }
  return { ids: seq.slice(prompt.length), tokensPerSec: count / ((performance.now() - t0) / 1000) };
}

if (isMain(import.meta.url)) {
  const f = parseFlags('train.ts [--target ts|wgsl] [--layers N] [--steps N] …', {
    target: 'ts',
    layers: 2,
    heads: 4,
    width: 48,
    context: 32,
    batch: 16,
    steps: 300,
    lr: 3e-3,
    seed: 0,
    temperature: 0.8,
    'top-k': 10,
  });
  const target = f.target as ExampleTarget;
  const r = await trainCharLm({ ...f, target, log: console.log });
  console.log(`loss ${r.losses[0]!.toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}`);
  const decode = await compileFor(decodeGraph(r.cfg), target);
  decode.setParams(sharedWeights(r.exe, decode));
  const rand = seeded(f.seed + 2);
  const opts = { temperature: f.temperature, topK: f['top-k'], rand };
  const s = await sample(decode, r.vocab, 'Returns the ', f.context - 12, opts);
  console.log(`sample: "Returns the ${s.text}"`);
  const greedy = await sample(decode, r.vocab, 'Returns the ', f.context - 12, {
    temperature: 0,
    rand,
  });
  const full = await compileFor(evalGraph({ ...r.cfg, batch: 1 }), target);
  full.setParams(sharedWeights(r.exe, full));
  const plain = await sampleNoCache(
    full,
    f.context,
    r.vocab.encode('Returns the '),
    f.context - 12,
  );
  const same = r.vocab.decode(plain.ids) === greedy.text;
  console.log(
    `decode: ${greedy.tokensPerSec.toFixed(0)} tokens/s with the KV cache, ${plain.tokensPerSec.toFixed(0)} without (greedy outputs ${same ? 'equal' : 'DIFFER'})`,
  );
}
