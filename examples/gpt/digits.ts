// A synthetic task that needs attention: copy or reverse a string of digits after a separator.
// Trains a tiny GPT and reports held-out exact-match accuracy (every answer digit right).
// Run: npx tsx examples/gpt/digits.ts [--task reverse|copy] [--target ts|wgsl] [--steps 600]
import type { Executable } from '../../src/index.ts';
import { nn } from '../../src/index.ts';
import { compileFor, isMain, parseFlags, since } from '../common/cli.ts';
import type { ExampleTarget } from '../common/cli.ts';
import type { DigitTask } from './data.ts';
import { answerMask, DIGIT_VOCAB, digitBatch, seeded } from './data.ts';
import type { GptExampleConfig } from './model.ts';
import { evalGraph, trainGraph } from './model.ts';

export interface DigitsOptions {
  readonly task: DigitTask;
  readonly target: ExampleTarget;
  readonly digits: number;
  readonly steps: number;
  readonly lr: number;
  readonly seed: number;
  readonly layers?: number;
  readonly log: ((s: string) => void) | null;
}

export const digitsConfig = (digits: number, layers = 2, batch = 32): GptExampleConfig => ({
  vocab: DIGIT_VOCAB,
  context: 2 * digits,
  seq: 2 * digits,
  dModel: 32,
  heads: 4,
  layers,
  batch,
});

/** Fraction of held-out strings whose every answer digit is the argmax (= greedy decoding). */
export async function exactMatch(
  exe: Executable,
  cfg: GptExampleConfig,
  task: DigitTask,
  batches: number,
  seed: number,
): Promise<number> {
  const rand = seeded(seed);
  const n = cfg.seq / 2;
  let ok = 0;
  for (let k = 0; k < batches; k++) {
    const { x, y } = digitBatch(task, n, cfg.batch, rand);
    const feeds: Record<string, Int32Array> = exe.graph.inputs.has('y') ? { x, y } : { x };
    const pred = (await exe.run(feeds))['pred']!;
    const best = nn.argmax(pred, cfg.batch * cfg.seq);
    for (let b = 0; b < cfg.batch; b++) {
      let all = true;
      for (let i = n; i < 2 * n; i++) all &&= best[b * cfg.seq + i] === y[b * cfg.seq + i];
      ok += Number(all);
    }
  }
  return ok / (batches * cfg.batch);
}

/** Train on fresh random strings each step; held-out strings come from another seed. */
export async function trainDigits(o: DigitsOptions) {
  const cfg = digitsConfig(o.digits, o.layers);
  const train = await compileFor(trainGraph(cfg, { mask: answerMask(o.digits) }), o.target, o.seed);
  const infer = await compileFor(evalGraph(cfg), o.target);
  const lr = nn.cosineLr(o.lr, o.steps, o.lr / 10, Math.ceil(o.steps / 20));
  const rand = seeded(o.seed + 1);
  const t0 = performance.now();
  const losses: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const b = digitBatch(o.task, o.digits, cfg.batch, rand);
    losses.push((await train.step({ ...b, lr: [lr(s)] }))['loss']![0]!);
    if (o.log && (s + 1) % 100 === 0)
      o.log(`step ${s + 1}  loss ${losses[s]!.toFixed(4)}  ${since(t0)}s`);
  }
  const loss = losses.at(-1) ?? NaN;
  const seconds = (performance.now() - t0) / 1000;
  await train.syncParams?.();
  nn.copyParams(train, infer);
  const accuracy = await exactMatch(infer, cfg, o.task, 8, 12345);
  train.dispose();
  infer.dispose();
  return { loss, losses, accuracy, seconds, train };
}

if (isMain(import.meta.url)) {
  const f = parseFlags('digits.ts [--task reverse|copy] [--target ts|wgsl] [--steps N]', {
    task: 'reverse',
    target: 'ts',
    digits: 4,
    steps: 600,
    lr: 3e-3,
    seed: 0,
  });
  if (f.task !== 'copy' && f.task !== 'reverse') throw new Error('--task is copy or reverse');
  const r = await trainDigits({
    ...f,
    task: f.task,
    target: f.target as ExampleTarget,
    log: console.log,
  });
  console.log(
    `${f.task} ${f.digits} digits: held-out exact match ${(100 * r.accuracy).toFixed(1)}% after ${f.steps} steps (${r.seconds.toFixed(1)}s)`,
  );
}
