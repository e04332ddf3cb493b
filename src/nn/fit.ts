// The training loop: mini-batches through an executable's step, host-computed learning rate,
// a live progress bar on a TTY (one log line per epoch otherwise), and the per-epoch history.
import { GraphError } from '../ir/errors.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import type { Executable, Feeds } from '../runtime/executable.ts';
import { guardNumerics, NumericsError } from '../runtime/numerics.ts';
import type { Dataset } from './data/dataset.ts';
import type { Batch } from './data/dataset.ts';
import { batches, countCorrect, gatherBatches, permutation } from './data/dataset.ts';
import { GRAD_NORM_PREFIX, gradNormsOf } from './gradstats.ts';
import type { LrSchedule } from './schedule.ts';
import { copyParams } from './train.ts';

export interface Progress {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss and accuracy over this epoch's batches so far. */
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSec: number;
  /** Optimizer steps taken so far (over all epochs). */
  readonly step: number;
  /** This step's gradient norm per param, when the graph outputs them (trainStep's gradStats). */
  readonly gradNorms?: Readonly<Record<string, number>>;
}

export interface EpochStats {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  /** Accuracy of the validation executable after the epoch (when one is given). */
  readonly valAccuracy?: number;
  readonly seconds: number;
  readonly samplesPerSec: number;
}

/** Where progress goes: process.stdout by default; only `isTTY` streams get the live bar. */
export interface ProgressOut {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

export interface FitOptions {
  readonly epochs: number;
  /** Must equal the graph's batch size (shapes are static); taken from input `x` by default. */
  readonly batchSize?: number;
  /** The learning rate fed as input `lr` each step: a number or a function of the step. */
  readonly lrSchedule?: LrSchedule | number;
  /** Seed of the per-epoch shuffles (epoch e uses seed + e); `false` keeps the data's order. */
  readonly shuffleSeed?: number | false;
  /**
   * Micro-batches per optimizer step, for a graph built with `accumulate` (input `accum.apply`):
   * the update applies on every k-th batch, and the schedule counts optimizer steps.
   */
  readonly accumulate?: number;
  /** Step index of the first batch (to continue a schedule and the dropout counter). */
  readonly initialStep?: number;
  /** Evaluated after each epoch: params are copied into it from the training executable. */
  readonly validation?: { readonly executable: Executable; readonly data: Dataset };
  /** Decision threshold for one-column predictions: 0.5 for probabilities, 0 for logits. */
  readonly threshold?: number;
  readonly onProgress?: (p: Progress) => void;
  /** The log line printed after each epoch (default epochLine). */
  readonly epochLine?: (s: EpochStats, epochs: number) => string;
  /** null silences the bar and the log lines. */
  readonly out?: ProgressOut | null;
  /**
   * The numerics guard: check every step's outputs and params, and on a NaN/±∞ name the first
   * op that produced it and its line (slow: params are copied before each step).
   */
  readonly checkNumerics?: boolean;
  /** Stop with a NumericsError when the loss is NaN or ±∞ (default true). */
  readonly stopOnNonFinite?: boolean;
}

/** Check that the data fits the graph's `x` and `y` inputs; return the graph's batch size. */
function checkData(exe: Executable, data: Dataset, batchSize: number | undefined): number {
  const g = exe.graph;
  for (const [name, shape] of [
    ['x', data.xShape],
    ['y', data.yShape],
  ] as const) {
    const node = g.inputs.get(name);
    if (!node) throw new GraphError('input', `fit: the graph has no input '${name}'`);
    if (!sameShape(node.shape.slice(1), shape)) {
      throw new GraphError(
        'input',
        `fit: input '${name}' ${fmtShape(node.shape)} takes samples of shape ${fmtShape(node.shape.slice(1))}, but the data's are ${fmtShape(shape)}`,
      );
    }
  }
  const b = g.inputs.get('x')!.shape[0]!;
  if (batchSize !== undefined && batchSize !== b) {
    throw new GraphError(
      'input',
      `fit: batchSize ${batchSize} differs from the graph's batch ${b}`,
    );
  }
  return b;
}

export async function fit(
  exe0: Executable,
  data: Dataset,
  opts: FitOptions,
): Promise<EpochStats[]> {
  const batchSize = checkData(exe0, data, opts.batchSize);
  if (!(Number.isInteger(opts.epochs) && opts.epochs >= 0))
    throw new GraphError('attr', `fit: epochs must be an integer ≥ 0, got ${opts.epochs}`);
  if (batchSize > data.n) {
    throw new GraphError(
      'input',
      `fit: the batch of ${batchSize} is larger than the data (${data.n} samples): no step would run`,
    );
  }
  const exe = opts.checkNumerics ? guardNumerics(exe0) : exe0;
  const sched = opts.lrSchedule;
  const lr = typeof sched === 'number' ? () => sched : sched;
  if (exe.graph.inputs.has('lr') && !lr) {
    throw new GraphError('input', "fit: the graph's input 'lr' needs an lrSchedule");
  }
  if (exe.graph.inputs.has('accum.apply') !== (opts.accumulate ?? 1) > 1) {
    throw new GraphError(
      'input',
      `fit: accumulate ${opts.accumulate ?? 1} does not match the graph, which ${exe.graph.inputs.has('accum.apply') ? 'accumulates' : 'does not accumulate'} gradients`,
    );
  }
  const loop: Loop = {
    exe,
    batchSize,
    lr,
    opts,
    out: opts.out === undefined ? process.stdout : opts.out,
    gradStats: [...exe.graph.outputs.keys()].some((k) => k.startsWith(GRAD_NORM_PREFIX)),
    step: opts.initialStep ?? 0,
  };
  const history: EpochStats[] = [];
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const seed = opts.shuffleSeed ?? 0;
    // Same order as shuffle(data, seed + epoch), gathered batch by batch into reused buffers.
    const order = seed === false ? null : permutation(data.n, seed + epoch);
    const stream = order ? gatherBatches(data, order, batchSize) : batches(data, batchSize);
    let stats = await runEpoch(loop, stream, Math.floor(data.n / batchSize), epoch);
    if (opts.validation) {
      await exe.syncParams?.(); // WebGPU: bring the device's params back to the host first
      copyParams(exe, opts.validation.executable);
      const v = await evaluate(opts.validation.executable, opts.validation.data, opts.threshold);
      stats = { ...stats, valAccuracy: v.accuracy };
    }
    history.push(stats);
    const tty = loop.out?.isTTY === true;
    const line = (opts.epochLine ?? epochLine)(stats, opts.epochs);
    loop.out?.write(`${tty ? '\r' : ''}${line}${tty ? '\x1b[K' : ''}\n`);
  }
  return history;
}

interface Loop {
  readonly exe: Executable;
  readonly batchSize: number;
  readonly lr: LrSchedule | undefined;
  readonly opts: FitOptions;
  readonly out: ProgressOut | null;
  /** The graph outputs gradient norms (read them into each Progress). */
  readonly gradStats: boolean;
  step: number;
}

/** One pass over the (already shuffled) batches: a step per batch, progress as it goes. */
async function runEpoch(
  loop: Loop,
  stream: Iterable<Batch>,
  total: number,
  epoch: number,
): Promise<EpochStats> {
  const { exe, batchSize, lr, opts, out } = loop;
  const t0 = performance.now();
  let [lossSum, correct, seen, batch, lastDraw] = [0, 0, 0, 0, 0];
  for (const b of stream) {
    const feeds: Record<string, Feeds[string]> = { x: b.x, y: b.y };
    const k = opts.accumulate ?? 1;
    if (lr) feeds['lr'] = [lr(Math.floor(loop.step / k))];
    if (k > 1) feeds['accum.apply'] = [(loop.step + 1) % k === 0 ? 1 : 0];
    if (exe.graph.inputs.has('step')) feeds['step'] = [loop.step];
    const res = await exe.step(feeds);
    const loss = res['loss']?.[0];
    if (opts.stopOnNonFinite !== false && loss !== undefined && !Number.isFinite(loss)) {
      throw new NumericsError(
        `fit: the loss is ${loss} at epoch ${epoch}, batch ${batch + 1} (step ${loop.step}); training stopped (checkNumerics names the op that produced it; stopOnNonFinite: false trains on)`,
      );
    }
    loop.step++;
    batch++;
    seen += b.rows;
    lossSum += (res['loss']?.[0] ?? NaN) * b.rows;
    if (res['pred']) correct += countCorrect(res['pred'], b.y, b.rows, batchSize, opts.threshold);
    const secs = (performance.now() - t0) / 1000;
    const p: Progress = {
      epoch,
      epochs: opts.epochs,
      batch,
      batches: total,
      loss: lossSum / seen,
      accuracy: correct / seen,
      samplesPerSec: seen / Math.max(secs, 1e-9),
      step: loop.step,
      ...(loop.gradStats ? { gradNorms: gradNormsOf(res) } : {}),
    };
    opts.onProgress?.(p);
    if (out?.isTTY && (performance.now() - lastDraw > 80 || batch === total)) {
      out.write(`\r${progressBar(p)}\x1b[K`);
      lastDraw = performance.now();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const samplesPerSec = seen / Math.max(seconds, 1e-9);
  return { epoch, loss: lossSum / seen, accuracy: correct / seen, seconds, samplesPerSec };
}

/**
 * Accuracy of an executable (input `x`, output `pred`) over a whole dataset, padding the tail;
 * the targets are fed as `y` too when the graph takes them.
 */
export async function evaluate(
  exe: Executable,
  data: Dataset,
  threshold?: number,
): Promise<{ accuracy: number }> {
  const x = exe.graph.inputs.get('x');
  if (!x) throw new GraphError('input', "evaluate: the graph has no input 'x'");
  const batchSize = x.shape[0]!;
  let correct = 0;
  const takesY = exe.graph.inputs.has('y'); // an eval graph that also outputs its loss
  for (const b of batches(data, batchSize, true)) {
    const res = await exe.run(takesY ? { x: b.x, y: b.y } : { x: b.x });
    const pred = res['pred'];
    if (!pred) throw new GraphError('graph', "evaluate: the graph has no output 'pred'");
    correct += countCorrect(pred, b.y, b.rows, batchSize, threshold);
  }
  return { accuracy: correct / data.n };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export function progressBar(p: Progress, width = 24): string {
  const done = Math.round((width * p.batch) / Math.max(1, p.batches));
  const bar = '='.repeat(Math.max(0, done - 1)) + (done > 0 ? '>' : '') + ' '.repeat(width - done);
  return `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${pct(p.accuracy)}  ${Math.round(p.samplesPerSec)} samples/s`;
}

export function epochLine(s: EpochStats, epochs: number): string {
  const val = s.valAccuracy === undefined ? '' : `  val_acc ${pct(s.valAccuracy)}`;
  return `epoch ${s.epoch}/${epochs}  loss ${s.loss.toFixed(4)}  acc ${pct(s.accuracy)}${val}  ${Math.round(s.samplesPerSec)} samples/s  ${s.seconds.toFixed(1)}s`;
}
