// The `nn` namespace of gradc/node: the portable library plus its Node-only file helpers.
export * from '../nn/index.ts';
export * from './checkpoint.ts';
export * from './mnist.ts';
export * from './mnist-idx.ts';
export * from './plot.ts';
