// In-memory datasets: validated construction, seeded shuffling and splits, mini-batches, label
// encoding, normalization and accuracy. Samples are rows of flat Float32Array/Int32Array buffers.
import { GraphError } from '../../ir/errors.ts';
import { mulberry32 } from '../../ir/init.ts';
import type { Shape } from '../../ir/shape.ts';
import { fmtShape, size } from '../../ir/shape.ts';

export type Targets = Float32Array | Int32Array;

export interface Dataset {
  /** Row-major samples [n, ...xShape]. */
  readonly x: Float32Array;
  /** Row-major targets [n, ...yShape]: f32 values/one-hot, or i32 labels (yShape []). */
  readonly y: Targets;
  readonly n: number;
  readonly xShape: Shape;
  readonly yShape: Shape;
}

/** A dataset from flat buffers, checking that both hold the same whole number of samples. */
export function dataset(x: Float32Array, y: Targets, xShape: Shape, yShape: Shape = []): Dataset {
  const per = size(xShape);
  if (per === 0 || x.length % per !== 0) {
    throw new GraphError(
      'input',
      `dataset: ${x.length} values are not a whole number of samples of shape ${fmtShape(xShape)}`,
    );
  }
  const n = x.length / per;
  if (y.length !== n * size(yShape)) {
    throw new GraphError(
      'input',
      `dataset: ${n} samples of shape ${fmtShape(xShape)} need ${n * size(yShape)} target values of shape ${fmtShape(yShape)}, got ${y.length}`,
    );
  }
  return { x, y, n, xShape, yShape };
}

/** A seeded permutation of 0..n−1 (Fisher–Yates with mulberry32). */
export function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** The samples at `rows`, in that order. */
export function take(ds: Dataset, rows: ArrayLike<number>): Dataset {
  const [px, py] = [size(ds.xShape), size(ds.yShape)];
  const x = new Float32Array(rows.length * px);
  const y =
    ds.y instanceof Int32Array
      ? new Int32Array(rows.length * py)
      : new Float32Array(rows.length * py);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    x.set(ds.x.subarray(r * px, (r + 1) * px), i * px);
    y.set(ds.y.subarray(r * py, (r + 1) * py), i * py);
  }
  return { ...ds, x, y, n: rows.length };
}

export const shuffle = (ds: Dataset, seed: number): Dataset => take(ds, permutation(ds.n, seed));

/** The first `first` samples and the rest. */
export function split(ds: Dataset, first: number): [Dataset, Dataset] {
  const idx = Array.from({ length: ds.n }, (_, i) => i);
  return [take(ds, idx.slice(0, first)), take(ds, idx.slice(first))];
}

export interface Batch {
  readonly x: Float32Array;
  readonly y: Targets;
  /** Real samples in this batch (< batchSize only for a padded last batch). */
  readonly rows: number;
}

/**
 * Consecutive mini-batches of exactly `batchSize` samples (graph shapes are static). A short last
 * batch is dropped, or with `pad` zero-filled and reported by `rows` (for evaluation).
 */
export function* batches(ds: Dataset, batchSize: number, pad = false): Generator<Batch> {
  const [px, py] = [size(ds.xShape), size(ds.yShape)];
  for (let start = 0; start < ds.n; start += batchSize) {
    const rows = Math.min(batchSize, ds.n - start);
    if (rows < batchSize && !pad) return;
    const x = ds.x.subarray(start * px, (start + rows) * px);
    const y = ds.y.subarray(start * py, (start + rows) * py);
    if (rows === batchSize) {
      yield { x, y, rows };
      continue;
    }
    const bx = new Float32Array(batchSize * px);
    const by =
      y instanceof Int32Array ? new Int32Array(batchSize * py) : new Float32Array(batchSize * py);
    bx.set(x);
    by.set(y);
    yield { x: bx, y: by, rows };
  }
}

/**
 * The full mini-batches of the samples listed in `order` (a shuffle), gathered into two buffers
 * reused for every batch: a shuffled epoch costs one batch of memory, not a copy of the whole
 * set. Each batch is valid until the next one is drawn.
 */
export function* gatherBatches(
  ds: Dataset,
  order: Int32Array,
  batchSize: number,
): Generator<Batch> {
  const [px, py] = [size(ds.xShape), size(ds.yShape)];
  const x = new Float32Array(batchSize * px);
  const y =
    ds.y instanceof Int32Array ? new Int32Array(batchSize * py) : new Float32Array(batchSize * py);
  for (let start = 0; start + batchSize <= order.length; start += batchSize) {
    for (let i = 0; i < batchSize; i++) {
      const r = order[start + i]!;
      x.set(ds.x.subarray(r * px, (r + 1) * px), i * px);
      y.set(ds.y.subarray(r * py, (r + 1) * py), i * py);
    }
    yield { x, y, rows: batchSize };
  }
}

/** Check labels are integers in [0, classes); errors name the first bad label and its row. */
export function checkLabels(labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(Number.isInteger(l) && l >= 0 && l < classes)) {
      throw new GraphError('input', `label ${l} at row ${i} is out of range [0, ${classes})`);
    }
  }
}

/** Labels [n] → one-hot Float32Array [n, classes]. */
export function oneHotLabels(labels: ArrayLike<number>, classes: number): Float32Array {
  checkLabels(labels, classes);
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}

/** (x − mean)/std per feature; computes the statistics from `x` unless given (reuse train's). */
export function standardize(
  x: Float32Array,
  features: number,
  stats?: { readonly mean: Float32Array; readonly std: Float32Array },
): { data: Float32Array; mean: Float32Array; std: Float32Array } {
  const n = x.length / features;
  const mean = stats?.mean ?? new Float32Array(features);
  const std = stats?.std ?? new Float32Array(features);
  if (!stats) {
    for (let i = 0; i < x.length; i++) mean[i % features]! += x[i]! / n;
    for (let i = 0; i < x.length; i++) std[i % features]! += (x[i]! - mean[i % features]!) ** 2 / n;
    for (let f = 0; f < features; f++) std[f] = Math.sqrt(std[f]!) || 1;
  }
  const data = x.map((v, i) => (v - mean[i % features]!) / std[i % features]!);
  return { data, mean, std };
}

/** Index of the largest entry of each row of a [rows, cols] buffer. */
export function argmax(values: ArrayLike<number>, rows: number): Int32Array {
  const cols = values.length / rows;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Correct predictions among the first `rows` rows. Multi-class: argmax of pred against i32
 * labels or argmax of one-hot targets. One column: pred > threshold against target > 0.5
 * (threshold 0.5 for probabilities, 0 for logits).
 */
export function countCorrect(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  rows: number,
  batch = rows,
  threshold = 0.5,
): number {
  const cols = pred.length / batch;
  let ok = 0;
  const labelsPerPosition =
    target.length > batch && target.length < pred.length && pred.length % target.length === 0;
  if (labelsPerPosition) return countCorrectPositions(pred, target, rows, batch);
  if (cols === 1) {
    for (let r = 0; r < rows; r++) ok += Number(pred[r]! > threshold === target[r]! > 0.5);
    return ok;
  }
  const p = argmax(pred, batch);
  const t = target.length === batch ? target : argmax(target, batch);
  for (let r = 0; r < rows; r++) ok += Number(p[r] === t[r]);
  return ok;
}

/**
 * Sequences: pred [batch, T, C] against labels [batch, T]; each sample counts the fraction of its
 * positions predicted right, so accuracy is per position.
 */
function countCorrectPositions(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  rows: number,
  batch: number,
): number {
  const positions = target.length / batch;
  const p = argmax(pred, target.length);
  let ok = 0;
  for (let i = 0; i < rows * positions; i++) ok += Number(p[i] === target[i]);
  return ok / positions;
}
