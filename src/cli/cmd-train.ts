// `gradc train <model.ts>`: compile the model's train-mode graph and run nn.fit on the data its
// `train` export declares, with a progress bar; optionally save a checkpoint.
import { relative } from 'node:path';
import type { Graph } from '../ir/graph.ts';
import type { Dataset } from '../nn/data/dataset.ts';
import { saveCheckpoint } from '../node/checkpoint.ts';
import { fit } from '../nn/fit.ts';
import type { Target } from '../runtime/executable.ts';
import type { Parsed } from './args.ts';
import { bool, num, positiveInt, str } from './args.ts';
import type { Io } from './common.ts';
import type { Lazy } from './contract.ts';
import { CliError } from './errors.ts';
import { loadModel } from './load.ts';

async function force<T>(v: Lazy<T>): Promise<T> {
  return typeof v === 'function' ? await (v as () => T | Promise<T>)() : v;
}

export async function runTrain(p: Parsed, io: Io): Promise<number> {
  const typecheck = !bool(p, 'no-typecheck');
  // On a terminal, say what is happening (main.ts already said "loading"): compiling takes seconds.
  const status = (s: string) => io.isTTY && io.out(`${s}\n`);
  const model = await loadModel(p.positionals[0]!, { typecheck });
  const setup = model.train;
  const shown = relative(process.cwd(), model.file);
  if (!setup) {
    throw new CliError(
      `${shown} declares no training setup: add \`export const train: TrainSetup = { data, epochs, lr }\``,
    );
  }
  const batch = positiveInt(p, 'train', 'batch') ?? setup.batch;
  const graph = await model.build('train', batch);
  if (graph.updates.size === 0) {
    throw new CliError(
      `the train-mode graph '${graph.name}' of ${shown} updates no params (build it with nn.trainStep)`,
    );
  }
  const target = str(p, 'target') as Target;
  const seed = num(p, 'seed')!;
  status(`compiling '${graph.name}' for ${target}`);
  const { compile } = await import('../compile.ts'); // the renderers load slowly: only on use
  const exe = await compile(graph, { target, seed });
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
    out: { write: (s: string) => io.out(s), isTTY: io.isTTY },
  });
  const last = history[history.length - 1];
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  io.out(
    `trained '${graph.name}' on ${target}: ${epochs} epochs in ${secs} s, final loss ${last?.loss.toFixed(4)}\n`,
  );
  const save = str(p, 'save');
  if (save) {
    await saveCheckpoint(save, exe, { model: shown });
    io.out(`saved params to ${save}\n`);
  }
  exe.dispose();
  return 0;
}

/** The infer-mode graph as fit's validation executable, when it has a `pred` output. */
async function validation(built: Promise<Graph>, data: Lazy<Dataset>, target: Target) {
  const g = await built;
  if (!g.outputs.has('pred')) return undefined;
  const { compile } = await import('../compile.ts');
  return { executable: await compile(g, { target }), data: await force(data) };
}
