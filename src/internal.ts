// gradc's internal entry point, for its own tools (the CLI, benchmarks, scripts): the compile
// stages and printers they use that are not part of the public API (src/index.ts, gradc/nn,
// gradc/node). Not exported by the package and free to change; src/cli imports only the public
// entry points and this file (test/cli/imports.test.ts checks it).
export { emitFiles, emitTs, kernelGroups, toProgram } from './pipeline.ts';
export { usePrettier } from '../codegen/format.ts';
export type { EmittedFile, FileTarget, KernelGroup, WasmSetting } from './pipeline.ts';
export { kernelsOf } from './schedule/kernel.ts';
export type { Program } from './schedule/kernel.ts';
export { kernelShape, printProgram } from './schedule/print.ts';
export { rebuild } from './ir/rebuild.ts';
export { printNames } from './ir/print.ts';
export { formatStep } from './ir/provenance.ts';
export { topo } from './ir/traverse.ts';
export { mulberry32 } from './ir/init.ts';
export { explain } from './explain/derive.ts';
export { toMarkdown, toText } from './explain/format.ts';
export { toHtml } from './explain/html.ts';
export { graphView, toDot } from './explain/graph-view.ts';
export type { GraphView } from './explain/graph-view.ts';
export { toGraphPage, toSvg } from './explain/graph-svg.ts';
export { looksLikeSafetensors } from './nn/safetensors.ts';
