// The public API of gradc.
export { Graph } from './ir/graph.ts';
export type { ParamSpec } from './ir/graph.ts';
export { Node } from './ir/node.ts';
export type { Provenance } from './ir/node.ts';
export type { DType } from './ir/dtype.ts';
export type { Shape } from './ir/shape.ts';
export { GraphError } from './ir/errors.ts';
export * as init from './ir/init.ts';
export type { InitSpec } from './ir/init.ts';
export { printGraph } from './ir/print.ts';
export * from './builder/ops.ts';
export * from './builder/composite.ts';
export * from './builder/conv.ts';
export * from './builder/activations.ts';
export * from './builder/reductions.ts';
export * from './builder/shuffle.ts';
export * from './builder/einsum.ts';
export { interpret, evaluate, initParams } from './interp/interpret.ts';
export type { Values, Evaluation } from './interp/interpret.ts';
export { grad, vjp, valueAndGrad } from './autodiff/grad.ts';
export { gradCheck, formatGradCheck } from './autodiff/check.ts';
export type {
  GradCheckOptions,
  GradCheckReport,
  GradCheckTarget,
  GradCheckWorst,
} from './autodiff/check.ts';
export { compile } from './compile.ts';
export type { CompileOptions } from './compile.ts';
export type { Executable, Target, Feeds, Outputs } from './runtime/executable.ts';
export * as nn from './nn/index.ts';
