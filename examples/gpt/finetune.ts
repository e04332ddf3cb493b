// Fine-tuning: pretrain a tiny GPT on copying digit strings, save its weights, load them
// (non-strict) into the same model with LoRA adapters on q and v and everything else frozen,
// then fine-tune on reversing. Prints the trainable parameter count, the step time and the
// loss and accuracy on the new task before and after.
// Run: npx tsx examples/gpt/finetune.ts [--target ts|wgsl] [--pretrain 300] [--steps 300]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Executable } from '../../src/index.ts';
import { nn } from '../../src/node/index.ts';
import type { ExampleTarget } from '../common/cli.ts';
import { compileFor, isMain, parseFlags } from '../common/cli.ts';
import type { DigitTask } from './data.ts';
import { answerMask, digitBatch, seeded } from './data.ts';
import { digitsConfig, exactMatch } from './digits.ts';
import type { GptExampleConfig } from './model.ts';
import { evalGraph, trainGraph } from './model.ts';

export interface FinetuneOptions {
  readonly target: ExampleTarget;
  readonly digits: number;
  readonly pretrain: number;
  readonly steps: number;
  readonly rank: number;
  readonly lr: number;
  readonly layers?: number;
  readonly log: ((s: string) => void) | null;
}

async function run(
  cfg: GptExampleConfig,
  task: DigitTask,
  steps: number,
  lr: number,
  o: FinetuneOptions,
  trainable?: (n: string) => boolean,
) {
  const exe = await compileFor(
    trainGraph(cfg, { mask: answerMask(o.digits), trainable }),
    o.target,
  );
  const rand = seeded(steps + (task === 'copy' ? 1 : 2));
  const schedule = nn.cosineLr(lr, steps, lr / 10, Math.ceil(steps / 20));
  return {
    exe,
    async train() {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      let loss = NaN;
      for (let s = 0; s < steps; s++) {
        const b = digitBatch(task, o.digits, cfg.batch, rand);
        loss = (await exe.step({ ...b, lr: [schedule(s)] }))['loss']![0]!;
      }
      await exe.syncParams?.();
      // CPU time too (all threads of the process: lavapipe's on WGSL), steadier on a busy machine.
      const cpu = process.cpuUsage(c0);
      const n = Math.max(1, steps);
      const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / n;
      return { loss, msPerStep: (performance.now() - t0) / n, cpuMsPerStep };
    },
  };
}

/** The evaluation graph with the masked loss as a second output. */
const scorer = (cfg: GptExampleConfig, o: FinetuneOptions) =>
  compileFor(evalGraph(cfg, answerMask(o.digits)), o.target);

/** Loss and exact-match accuracy of `from`'s params on held-out strings of `task`. */
async function score(from: Executable, infer: Executable, cfg: GptExampleConfig, task: DigitTask) {
  const weights = Object.entries(from.params).filter(([k]) => infer.graph.params.has(k));
  infer.setParams(Object.fromEntries(weights));
  const accuracy = await exactMatch(infer, cfg, task, 4, 777);
  const { x, y } = digitBatch(task, cfg.seq / 2, cfg.batch, seeded(778));
  const loss = (await infer.run({ x, y }))['loss']![0]!;
  return { loss, accuracy };
}

export async function finetune(o: FinetuneOptions) {
  const base = digitsConfig(o.digits, o.layers);
  const pre = await run(base, 'copy', o.pretrain, o.lr, o);
  await pre.train();
  const copyScore = await score(pre.exe, await scorer(base, o), base, 'copy');
  o.log?.(`pretrained on copy: exact match ${(100 * copyScore.accuracy).toFixed(1)}%`);
  const dir = await mkdtemp(join(tmpdir(), 'gradc-gpt-'));
  await nn.saveWeights(join(dir, 'pretrained.safetensors'), pre.exe);
  pre.exe.dispose();

  const cfg = {
    ...base,
    lora: { rank: o.rank, alpha: 2 * o.rank, targets: ['q', 'v', 'o', 'fc'] },
  };
  const ft = await run(cfg, 'reverse', o.steps, o.lr, o, nn.isLoraParam);
  const report = await nn.loadWeights(join(dir, 'pretrained.safetensors'), ft.exe, {
    strict: false,
  });
  const count = (keep: (n: string) => boolean) =>
    [...ft.exe.graph.params.values()]
      .filter((p) => keep(p.name))
      .reduce((s, p) => s + p.node.size, 0);
  const trainable = count(nn.isLoraParam);
  const total = count((n) => report.loaded.includes(n) || nn.isLoraParam(n));
  o.log?.(
    `loaded ${report.loaded.length} tensors; missing (new adapters): ${report.missing.length}; unexpected: ${report.unexpected.length}`,
  );
  o.log?.(
    `trainable params: ${trainable} of ${total} (${((100 * trainable) / total).toFixed(1)}%)`,
  );
  const infer = await scorer(cfg, o);
  const before = await score(ft.exe, infer, cfg, 'reverse');
  const { msPerStep, cpuMsPerStep } = await ft.train();
  const after = await score(ft.exe, infer, cfg, 'reverse');
  o.log?.(
    `fine-tuning step: ${msPerStep.toFixed(1)} ms (${cpuMsPerStep.toFixed(1)} ms of CPU time)`,
  );
  o.log?.(
    `reverse: loss ${before.loss.toFixed(3)} → ${after.loss.toFixed(3)}, exact match ${(100 * before.accuracy).toFixed(1)}% → ${(100 * after.accuracy).toFixed(1)}%`,
  );
  const merged = nn.mergeLora(ft.exe.params, cfg.lora.alpha);
  ft.exe.dispose();
  return {
    copy: copyScore,
    before,
    after,
    trainable,
    total,
    report,
    msPerStep,
    cpuMsPerStep,
    merged,
    base,
  };
}

if (isMain(import.meta.url)) {
  const f = parseFlags('finetune.ts [--target ts|wgsl] [--pretrain N] [--steps N] [--rank R]', {
    target: 'ts',
    digits: 4,
    pretrain: 300,
    steps: 300,
    rank: 4,
    lr: 3e-3,
  });
  await finetune({ ...f, target: f.target as ExampleTarget, log: console.log });
}
