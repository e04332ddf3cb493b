// gradc's neural-network library: layers, activations, losses, initializers, optimizers,
// train/eval step builders, data, checkpoint encoding, the training loop and plots. It runs
// anywhere; the file-system pieces (checkpoint files, MNIST loading, plot files) are src/node/.
export * from './activations.ts';
export * from './init.ts';
export * from './layers.ts';
export * from './recurrent.ts';
export * from './norm.ts';
export * from './losses.ts';
export * from './optim.ts';
export * from './schedule.ts';
export * from './train.ts';
export * from './checkpoint.ts';
export * from './fit.ts';
export * from './gradstats.ts';
export * from './plot.ts';
export * from './data/dataset.ts';
export * from './data/mnist.ts';
export * from './attention.ts';
export * from './lora.ts';
export * from './transformer.ts';
export * from './sample.ts';
export * from './data/idx.ts';
