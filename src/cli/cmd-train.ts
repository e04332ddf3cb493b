// `gradc train <model.ts>`: compile the model's train-mode graph and run nn.fit on the data its
// `train` export declares, with a progress bar; optionally save a checkpoint.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Graph, Target } from '../index.ts';
import { fit } from '../nn/index.ts';
import type { Dataset } from '../nn/index.ts';
import { saveCheckpoint } from '../node/index.ts';
import type { Parsed } from './args.ts';
import { bool, num, positiveInt, str } from './args.ts';
import type { Io } from './common.ts';
import type { Lazy, TrainSetup } from './contract.ts';
import { checkBatchFlag } from './common.ts';
import { checkOutputFile } from './write.ts';
import { CliError } from './errors.ts';
import { loadModel } from './load.ts';

async function force<T>(v: Lazy<T>): Promise<T> {
  return typeof v === 'function' ? await (v as () => T | Promise<T>)() : v;
}

export async function runTrain(p: Parsed, io: Io): Promise<number> {
  const typecheck = !bool(p, 'no-typecheck');
  // On a terminal, say what is happening (main.ts already said "loading"): compiling takes seconds.
  const status = (s: string) => io.isTTY && io.out(`${s}\n`);
  const model = await loadModel(p.positionals[0]!, { typecheck, keepLoader: true });
  await model.typecheck;
  const setup = model.train;
  const shown = relative(process.cwd(), model.file);
  if (!setup) {
    throw new CliError(
      `${shown} declares no training setup: add \`export const train: TrainSetup = { data, epochs, lr }\``,
    );
  }
  checkSetup(setup, shown);
  const batchFlag = positiveInt(p, 'train', 'batch');
  checkBatchFlag(model, batchFlag, 'train');
  // Every output path is checked before any work: a bad --save must not cost a training run.
  const save = str(p, 'save');
  if (save) {
    checkOutputFile(save, 'checkpoint', [model.file]);
    await removeStaleTemps(save);
  }
  const batch = batchFlag ?? setup.batch;
  const graph = await model.build('train', batch);
  if (graph.updates.size === 0) {
    throw new CliError(
      `the train-mode graph '${graph.name}' of ${shown} updates no params (build it with nn.trainStep)`,
    );
  }
  const target = str(p, 'target') as Target;
  const seed = num(p, 'seed')!;
  const allowNonFinite = bool(p, 'allow-non-finite');
  status(`compiling '${graph.name}' for ${target}`);
  const { compile } = await import('../index.ts'); // the renderers load slowly: only on use
  const wasm = str(p, 'wasm') as 'auto' | 'all' | 'off';
  const exe = await compile(graph, {
    target,
    seed,
    wasm,
    threads: positiveInt(p, 'train', 'threads'),
  });
  const val = setup.validation
    ? await validation(model.build('infer', batch), setup.validation, target)
    : undefined;
  const epochs = positiveInt(p, 'train', 'epochs') ?? setup.epochs ?? 10;
  const data = await force<Dataset>(setup.data);
  const t0 = performance.now();
  const history = await fit(exe, data, {
    epochs,
    lrSchedule: num(p, 'lr') ?? setup.lr,
    shuffleSeed: seed,
    threshold: setup.threshold,
    validation: val,
    checkNumerics: bool(p, 'check-numerics'),
    stopOnNonFinite: !allowNonFinite,
    out: { write: (s: string) => io.out(s), isTTY: io.isTTY },
  });
  const last = history[history.length - 1];
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  io.out(
    `trained '${graph.name}' on ${target}: ${epochs} epochs in ${secs} s, final loss ${last?.loss.toFixed(4)}\n`,
  );
  if (save) {
    await saveCheckpoint(save, exe, { model: shown }, { allowNonFinite });
    io.out(`saved params to ${save}\n`);
  }
  exe.dispose();
  return 0;
}

/** The model's own train setup, checked like flags (a NaN epoch count would train 0 epochs). */
function checkSetup(setup: TrainSetup, shown: string): void {
  for (const key of ['epochs', 'batch'] as const) {
    const v = setup[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new CliError(`${shown}: train.${key} must be a positive integer, got ${String(v)}`);
  }
  if (typeof setup.lr === 'number' && !Number.isFinite(setup.lr))
    throw new CliError(`${shown}: train.lr must be a finite number, got ${setup.lr}`);
}

/** Temp files of saves killed mid-write (`FILE.tmp-PID-…` of processes no longer running). */
async function removeStaleTemps(save: string): Promise<void> {
  const dir = dirname(resolve(save));
  const prefix = `${basename(save)}.tmp-`;
  for (const name of await readdir(dir)) {
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!name.startsWith(prefix) || !pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') await rm(join(dir, name), { force: true });
    }
  }
}

/** The infer-mode graph as fit's validation executable, when it has a `pred` output. */
async function validation(built: Promise<Graph>, data: Lazy<Dataset>, target: Target) {
  const g = await built;
  if (!g.outputs.has('pred')) return undefined;
  const { compile } = await import('../index.ts');
  return { executable: await compile(g, { target }), data: await force(data) };
}
