// Data: the MNIST loader (shapes, ranges, seeded split), dataset validation, shuffling,
// mini-batching, label encoding, standardization and accuracy.
import { describe, expect, test } from 'vitest';
import {
  batches,
  countCorrect,
  dataset,
  gatherBatches,
  oneHotLabels,
  permutation,
  shuffle,
  split,
  standardize,
} from '../../src/nn/data/dataset.ts';
import { mnistDataset, mnistSet } from '../../src/nn/data/mnist.ts';
import { loadMnist } from '../../src/node/mnist.ts';

describe('mnist', () => {
  test('loads a seeded train/test split with [N,784] images in [0,1] and labels 0..9', () => {
    const { train, test: held } = loadMnist({ train: 300, test: 100, seed: 1 });
    expect(train.images).toBeInstanceOf(Float32Array);
    expect(train.images.length).toBe(300 * 784);
    expect(held.images.length).toBe(100 * 784);
    expect(train.labels).toBeInstanceOf(Int32Array);
    expect(train.labels.length).toBe(300);
    const [lo, hi] = train.images.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [1, 0]);
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
    expect(new Set(train.labels).size).toBe(10);
    for (let r = 0; r < 300; r++) {
      const row = train.oneHot.subarray(10 * r, 10 * r + 10);
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      expect(row[train.labels[r]!]).toBe(1);
    }
    const again = loadMnist({ train: 300, test: 100, seed: 1 });
    expect(again.train.labels).toEqual(train.labels);
    expect(loadMnist({ train: 300, test: 0, seed: 2 }).train.labels).not.toEqual(train.labels);
    const ds = mnistDataset(train, 'onehot');
    expect([ds.n, ds.xShape, ds.yShape]).toEqual([300, [784], [10]]);
  });

  test('bad sizes and labels are refused clearly', () => {
    expect(() => loadMnist({ train: 9000, test: 2000 })).toThrow(
      /train=9000 \+ test=2000 exceeds the 10000 digits available/,
    );
    expect(() => mnistSet(new Float32Array(783), Int32Array.of(1))).toThrow(
      /1 labels need 784 pixels \(28×28 each\), got 783/,
    );
    expect(() => mnistSet(new Float32Array(784 * 2), Int32Array.of(3, 10))).toThrow(
      /label 10 at row 1 is out of range \[0, 10\)/,
    );
  });
});

describe('datasets', () => {
  const x = Float32Array.from({ length: 20 }, (_, i) => i); // 10 samples of [2]
  const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);

  test('construction checks sample counts', () => {
    expect(() => dataset(x, y, [3])).toThrow(
      /20 values are not a whole number of samples of shape \[3\]/,
    );
    expect(() => dataset(x, y, [2], [2])).toThrow(
      /10 samples of shape \[2\] need 20 target values of shape \[2\], got 10/,
    );
  });

  test('seeded shuffle keeps rows together; split; batches drop or pad the tail', () => {
    const ds = dataset(x, y, [2]);
    const s = shuffle(ds, 4);
    expect(shuffle(ds, 4).x).toEqual(s.x);
    expect(s.x).not.toEqual(ds.x);
    for (let r = 0; r < 10; r++) {
      const orig = s.x[2 * r]! / 2;
      expect(s.x[2 * r + 1]).toBe(2 * orig + 1);
      expect(s.y[r]).toBe(orig % 3);
    }
    const [a, b] = split(ds, 7);
    expect([a.n, b.n]).toEqual([7, 3]);
    expect([...batches(ds, 4)].map((q) => q.rows)).toEqual([4, 4]);
    const padded = [...batches(ds, 4, true)];
    expect(padded.map((q) => q.rows)).toEqual([4, 4, 2]);
    expect(padded[2]!.x.length).toBe(8);
    expect(padded[2]!.y).toBeInstanceOf(Int32Array);
  });

  test('gathered batches of a permutation equal the batches of the shuffled copy', () => {
    const ds = dataset(x, y, [2]);
    const copies = [...batches(shuffle(ds, 4), 3)].map((b) => [[...b.x], [...b.y]]);
    // Copy each batch as it is drawn: the next one overwrites the same buffers.
    const gathered = Array.from(gatherBatches(ds, permutation(ds.n, 4), 3), (b) => [
      [...b.x],
      [...b.y],
    ]);
    expect(gathered).toEqual(copies);
    expect(gathered.length).toBe(3); // 10 samples: the short last batch is dropped
    const it = gatherBatches(ds, permutation(ds.n, 4), 3);
    expect(it.next().value!.x).toBe(it.next().value!.x); // one buffer, reused
  });

  test('one-hot, standardize, accuracy', () => {
    expect([...oneHotLabels([2, 0], 3)]).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHotLabels([0, -1], 3)).toThrow(/label -1 at row 1 is out of range \[0, 3\)/);
    const st = standardize(Float32Array.of(1, 10, 3, 30), 2);
    expect([...st.data]).toEqual([-1, -1, 1, 1]);
    const pred = [0.1, 0.9, 0.8, 0.2, 0.3, 0.7];
    expect(countCorrect(pred, [1, 0, 0], 3)).toBe(2);
    expect(countCorrect(pred, [0, 1, 1, 0, 0, 1], 3)).toBe(3);
    expect(countCorrect([0.7, 0.2, 0.6], [1, 0, 0], 3)).toBe(2);
    expect(countCorrect([2, -1, -3], [1, 0, 0], 3, 3, 0)).toBe(3);
  });
});
