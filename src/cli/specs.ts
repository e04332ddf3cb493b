// The commands' specs (flags, help): kept apart from their implementations, which main imports
// only when a command runs, so --help and --version start fast.
import type { CommandSpec, FlagSpec } from './args.ts';

/** Flags shared by the commands that build a model's graph. */
export const MODEL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  mode: {
    type: 'string',
    values: ['infer', 'train'],
    default: 'infer',
    arg: 'infer|train',
    help: 'which graph the model builds (default infer)',
  },
  batch: { type: 'number', arg: 'N', help: 'batch size passed to the model (default: its own)' },
};

/** The TS target's CPU kernels: compile and train take the same two flags. */
const CPU_FLAGS: CommandSpec['flags'] = {
  wasm: {
    type: 'string',
    values: ['auto', 'all', 'off'],
    default: 'auto',
    arg: 'auto|all|off',
    help: 'TS target: WebAssembly SIMD kernels where faster (default auto), for all, or off',
  },
  threads: {
    type: 'number',
    default: 1,
    arg: 'N',
    help: 'TS target: threads sharing each large matmul (Node worker threads; default 1)',
  },
};

export const compileSpec: CommandSpec = {
  name: 'compile',
  summary: 'compile a model to a TypeScript module (or WGSL shaders and a host)',
  positionals: ['<model.ts>'],
  flags: {
    target: {
      type: 'string',
      values: ['ts', 'wgsl'],
      default: 'ts',
      arg: 'ts|wgsl',
      help: 'what to generate (default ts)',
    },
    out: { type: 'string', default: 'gen', arg: 'DIR', help: 'output directory (default gen)' },
    ...MODEL_FLAGS,
    'explain-fusion': {
      type: 'boolean',
      help: "print each kernel's notes and why nodes were not fused",
    },
    'check-numerics': {
      type: 'boolean',
      help: 'emit a finiteness check after every kernel (reports kernel, op and line)',
    },
    watch: { type: 'boolean', help: "compile again whenever a file in the model's folder changes" },
    ...CPU_FLAGS,
  },
};

export const inspectSpec: CommandSpec = {
  name: 'inspect',
  summary: 'print the graph, its gradient graph or its fused kernels',
  positionals: ['<model.ts>'],
  flags: {
    grad: { type: 'boolean', help: 'show the backward graph with chain-rule provenance' },
    kernels: { type: 'boolean', help: 'also list the fused kernels and the memory plan' },
    format: {
      type: 'string',
      values: ['text', 'dot', 'svg', 'html'],
      default: 'text',
      arg: 'text|dot|svg|html',
      help: 'text (default), Graphviz DOT, an SVG picture, or an HTML page',
    },
    out: { type: 'string', arg: 'FILE', help: 'write to FILE instead of stdout' },
    ...MODEL_FLAGS,
  },
};

export const checkSpec: CommandSpec = {
  name: 'check',
  summary: 'check the compiled gradients against finite differences of the interpreter',
  positionals: ['<model.ts>'],
  flags: {
    target: {
      type: 'string',
      values: ['ts', 'wgsl', 'interp'],
      default: 'ts',
      arg: 'ts|wgsl|interp',
      help: 'which compiled code to check (default ts)',
    },
    ...MODEL_FLAGS,
    atol: { type: 'number', default: 1e-5, arg: 'X', help: 'absolute tolerance (default 1e-5)' },
    rtol: { type: 'number', default: 1e-3, arg: 'X', help: 'relative tolerance (default 1e-3)' },
    eps: { type: 'number', default: 1e-6, arg: 'X', help: 'finite-difference step (default 1e-6)' },
    'max-elements': {
      type: 'number',
      default: 16,
      arg: 'N',
      help: 'elements checked per param (default 16)',
    },
    seed: { type: 'number', default: 0, arg: 'N', help: 'seed of params, inputs and sampling' },
  },
};

export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'train a model on the data its `train` export declares',
  positionals: ['<model.ts>'],
  flags: {
    target: {
      type: 'string',
      values: ['ts', 'wgsl', 'interp'],
      default: 'ts',
      arg: 'ts|wgsl|interp',
      help: 'where the training step runs (default ts)',
    },
    epochs: {
      type: 'number',
      arg: 'N',
      help: "epochs (default: the model's train.epochs, else 10)",
    },
    batch: { type: 'number', arg: 'N', help: "batch size (default: the model's train.batch)" },
    lr: { type: 'number', arg: 'X', help: "learning rate (default: the model's train.lr)" },
    seed: { type: 'number', default: 0, arg: 'N', help: 'seed of param init and shuffling' },
    save: { type: 'string', arg: 'FILE', help: 'write the trained params to FILE (safetensors)' },
    'check-numerics': {
      type: 'boolean',
      help: 'on a non-finite value, name the first op (and its line) that produced it',
    },
    'allow-non-finite': {
      type: 'boolean',
      help: 'keep training through a NaN/∞ loss and save non-finite params anyway',
    },
    ...CPU_FLAGS,
  },
};

/** `gradc explain`. */
export const explainSpec: CommandSpec = {
  name: 'explain',
  summary: 'print the derived backward pass as math: forward, δ per layer, gradients, update',
  positionals: ['<model.ts>'],
  flags: {
    format: {
      type: 'string',
      values: ['text', 'md', 'html'],
      default: 'text',
      arg: 'text|md|html',
      help: 'Unicode text (default), Markdown with LaTeX, or an HTML page typeset by KaTeX',
    },
    out: { type: 'string', arg: 'FILE', help: 'write to FILE instead of stdout' },
    generated: {
      type: 'string',
      arg: 'FILE',
      help: 'the generated module the Markdown kernel links point to (default gen/<graph>.ts)',
    },
    ...MODEL_FLAGS,
    mode: {
      type: 'string',
      values: ['infer', 'train'],
      default: 'train',
      arg: 'infer|train',
      help: 'which graph the model builds (default train: the update rule is shown too)',
    },
  },
};
