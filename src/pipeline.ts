// THE compile pipeline: every stage from a graph to generated text, in order, top to bottom.
// compile(), `gradc compile|inspect`, compileToFiles and the benchmarks all come through here;
// renderers only render the Program they are given. Renderers load on first use (the code writer
// and prettier are slow to import), so importing gradc stays cheap.
//
//   optimize → fuse → lower → place updates → memory plan → render (TS | WGSL + host)
import type { RenderedTs } from '../codegen/ts/emit.ts';
import type { RenderedWgsl, WgslOptions } from '../codegen/wgsl/emit.ts';
import type { Graph } from './ir/graph.ts';
import { rebuild } from './ir/rebuild.ts';
import { optimize } from './passes/pipeline.ts';
import { planFusion } from './schedule/fuse.ts';
import type { Program } from './schedule/kernel.ts';
import { planMemory } from './schedule/memory.ts';
import { withNumericsChecks } from './schedule/numerics.ts';
import { assemble, lowerKernels, placeUpdates, tempsOf } from './schedule/program.ts';

export type FileTarget = 'ts' | 'wgsl';

export interface EmittedFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly text: string;
}

export interface ProgramOptions {
  /** Run the graph passes first (default true; tests of later stages turn them off). */
  readonly optimize?: boolean;
  /** The numerics guard: a finiteness check step after every kernel (schedule/numerics.ts). */
  readonly checkNumerics?: boolean;
}

/** Graph → Program: the stages every target shares. */
export function toProgram(g: Graph, opts: ProgramOptions = {}): Program {
  const graph = opts.optimize === false ? g : optimize(g); // strip, fold, simplify, dce
  const plan = planFusion(graph); // buffers, epilogues, shared loops: each with its reason
  const lowered = lowerKernels(graph, plan); // kernel IR: one kernel per planned loop
  const placed = placeUpdates(graph, lowered); // param updates in place, hoisted early
  const memory = planMemory(placed.steps, tempsOf(lowered)); // liveness → reusable slots
  const program = assemble(graph, plan, lowered, placed, memory);
  return opts.checkNumerics ? withNumericsChecks(program) : program; // after the memory plan
}

/** 'step' when the graph has updates (a training step), else 'run'. */
export const entryOf = (g: Graph): 'step' | 'run' => (g.updates.size > 0 ? 'step' : 'run');

interface Emitted {
  readonly program: Program;
  readonly entry: 'step' | 'run';
}

/** Which kernels of the TS target run in WebAssembly SIMD (codegen/wasm/module.ts). */
export type WasmSetting = 'auto' | 'all' | 'off';

export interface EmitOptions {
  readonly header?: readonly string[];
  /** prettier-format the output (default true; in-process compiles skip it). */
  readonly format?: boolean;
  /** TypeScript files ('ts', default) or the same module as plain JavaScript ('js', in process). */
  readonly lang?: 'ts' | 'js';
  /** TS target: WebAssembly SIMD kernels ('auto' by default; 'all'; 'off': TypeScript only). */
  readonly wasm?: WasmSetting;
  /** TS target with wasm: threads sharing each large matmul (default 1). */
  readonly threads?: number;
  /** The numerics guard (TS renders its checks; the WGSL host skips them). */
  readonly checkNumerics?: boolean;
}

/** Graph → one TypeScript module. */
export async function emitTs(g: Graph, opts: EmitOptions = {}): Promise<RenderedTs & Emitted> {
  const program = toProgram(g, { checkNumerics: opts.checkNumerics });
  const entry = entryOf(g);
  const { renderTs } = await import('../codegen/ts/emit.ts');
  const inits = new Map([...g.params].map(([name, p]) => [name, p.init]));
  return { ...(await renderTs(program, { ...opts, name: g.name, entry, inits })), program, entry };
}

/** Graph → WGSL shaders and their TypeScript WebGPU host. */
export async function emitWgsl(g: Graph, opts: WgslOptions = {}): Promise<RenderedWgsl & Emitted> {
  const program = toProgram(g);
  const entry = entryOf(g);
  const { renderWgsl } = await import('../codegen/wgsl/emit.ts');
  const inits = new Map([...g.params].map(([name, p]) => [name, p.init]));
  return {
    ...(await renderWgsl(program, { ...opts, name: g.name, entry, inits })),
    program,
    entry,
  };
}

/** Graph → the files a build writes for `target` (what `gradc compile` writes). */
export async function emitFiles(
  g: Graph,
  opts: { readonly target: FileTarget; readonly header?: readonly string[] } & Pick<
    EmitOptions,
    'checkNumerics' | 'wasm' | 'threads'
  >,
): Promise<{ readonly files: readonly EmittedFile[] } & Emitted> {
  const { header, checkNumerics, wasm, threads } = opts;
  return opts.target === 'ts'
    ? emitTs(g, { header, checkNumerics, wasm, threads })
    : emitWgsl(g, { header });
}

/** The same graph without its updates: what run() computes on a training graph. */
export function forwardOnly(g: Graph): Graph {
  const copy = rebuild(g).graph;
  copy.updates.clear();
  return rebuild(copy).graph;
}
