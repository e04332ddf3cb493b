// THE compile pipeline: every stage from a graph to generated text, in order, top to bottom.
// compile(), `gradc compile|inspect`, compileToFiles and the benchmarks all come through here;
// renderers only render the Program they are given. Renderers load on first use (the code writer
// and prettier are slow to import), so importing gradc stays cheap.
//
//   optimize → fuse → lower → place updates → memory plan → render (TS | WGSL + host)
import type { RenderedTs } from '../codegen/ts/emit.ts';
import type { RenderedWgsl, WgslOptions } from '../codegen/wgsl/emit.ts';
import { runOutputs } from './autodiff/forward-only.ts';
import type { Graph } from './ir/graph.ts';
import type { Node } from './ir/node.ts';
import { optimize } from './passes/pipeline.ts';
import { planFusion } from './schedule/fuse.ts';
import type { Program } from './schedule/kernel.ts';
import { planMemory } from './schedule/memory.ts';
import { evalSteps } from './schedule/eval-steps.ts';
import type { EvalSteps } from './schedule/eval-steps.ts';
import { withNumericsChecks } from './schedule/numerics.ts';
import { assemble, lowerKernels, placeUpdates, tempsOf } from './schedule/program.ts';
import { topo } from './ir/traverse.ts';

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
  /** Runs each stage (benchmarks time them: bench/compile-g1.ts); by default just runs it. */
  readonly stage?: <T>(name: ProgramStage, run: () => T) => T;
}

export type ProgramStage = 'optimize' | 'fuse' | 'lower' | 'place' | 'plan';

/** Graph → Program: the stages every target shares. */
export function toProgram(g: Graph, opts: ProgramOptions = {}): Program {
  return compileProgram(g, opts).program;
}

/** Graph → Program, and a training graph's `run` (runEntry) from the same stages. */
function compileProgram(
  g: Graph,
  opts: ProgramOptions,
): { readonly program: Program; readonly run: EvalSteps | null } {
  const stage = opts.stage ?? ((_name, run) => run());
  // strip, fold, simplify, dce
  const graph = opts.optimize === false ? g : stage('optimize', () => optimize(g));
  // a training graph's forward pass: run executes its kernels alone
  const forward = g.updates.size > 0 ? forwardNodes(g, graph) : undefined;
  // buffers, epilogues, shared loops: each with its reason
  const plan = stage('fuse', () => planFusion(graph, forward));
  // kernel IR: one kernel per planned loop
  const lowered = stage('lower', () => lowerKernels(graph, plan));
  // param updates in place, hoisted early
  const placed = stage('place', () => placeUpdates(graph, lowered));
  // liveness → reusable slots
  const memory = stage('plan', () => planMemory(placed.steps, tempsOf(lowered)));
  const assembled = assemble(graph, plan, lowered, placed, memory);
  // after the memory plan
  const program = opts.checkNumerics ? withNumericsChecks(assembled) : assembled;
  const run = forward
    ? runEntry(g, program, plan.heads.filter((h) => forward.has(h)).map(lowered.nameOf))
    : null;
  return { program, run };
}

/** 'step' when the graph has updates (a training step), else 'run'. */
export const entryOf = (g: Graph): 'step' | 'run' => (g.updates.size > 0 ? 'step' : 'run');

/**
 * The nodes of `graph` (`g` optimized) that the outputs of `run` need: those that need no gradient
 * (autodiff/forward-only.ts decides, for every target and for in-process run() alike).
 */
function forwardNodes(g: Graph, graph: Graph): Set<Node> {
  const names = runOutputs(g);
  const roots = [...graph.outputs].filter(([name]) => names.has(name)).map(([, n]) => n);
  return new Set(topo(roots));
}

/**
 * What a training module's `run` executes: the steps that compute the forward outputs' nodes
 * (`own`: their buffers), which fusion kept apart from all other work, so no backward or update
 * kernel; evalSteps fails the compile if one of them would touch anything else.
 */
function runEntry(g: Graph, program: Program, own: readonly string[]): EvalSteps {
  return evalSteps(program, new Set(runOutputs(g).keys()), new Set(own));
}

interface Emitted {
  readonly program: Program;
  readonly entry: 'step' | 'run';
  /** A training module's run (runEntry). */
  readonly run: EvalSteps | null;
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
  /** The numerics guard: a finiteness check after every kernel (both targets render them). */
  readonly checkNumerics?: boolean;
}

/** Graph → one TypeScript module. */
export async function emitTs(g: Graph, opts: EmitOptions = {}): Promise<RenderedTs & Emitted> {
  const { program, run } = compileProgram(g, { checkNumerics: opts.checkNumerics });
  const entry = entryOf(g);
  const { renderTs } = await import('../codegen/ts/emit.ts');
  const inits = new Map([...g.params].map(([name, p]) => [name, p.init]));
  const rendered = await renderTs(program, { ...opts, name: g.name, entry, inits, run });
  return { ...rendered, program, entry, run };
}

/** Graph → WGSL shaders and their TypeScript WebGPU host. */
export async function emitWgsl(g: Graph, opts: WgslOptions = {}): Promise<RenderedWgsl & Emitted> {
  const { program, run } = compileProgram(g, { checkNumerics: opts.checkNumerics });
  const entry = entryOf(g);
  const { renderWgsl } = await import('../codegen/wgsl/emit.ts');
  const inits = new Map([...g.params].map(([name, p]) => [name, p.init]));
  const rendered = await renderWgsl(program, { ...opts, name: g.name, entry, inits, run });
  return { ...rendered, program, entry, run };
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
    : emitWgsl(g, { header, checkNumerics });
}

/** What run() compiles on a training graph: forward outputs only (see autodiff/forward-only.ts). */
export { forwardOnly } from './autodiff/forward-only.ts';

/** A fused kernel as the graph nodes it computes (its heads and the nodes inlined into it). */
export interface KernelGroup {
  readonly name: string;
  readonly nodes: readonly Node[];
}

/**
 * Graph → the optimized graph and its kernels as node groups, named as in the Program: what
 * `gradc inspect --kernels` draws. A node inlined into several kernels is drawn in the first.
 */
export function kernelGroups(g: Graph): { readonly graph: Graph; readonly kernels: KernelGroup[] } {
  const graph = optimize(g);
  const plan = planFusion(graph);
  const lowered = lowerKernels(graph, plan);
  const seen = new Set<Node>();
  const kernels = plan.kernels.map((heads, i) => {
    const nodes: Node[] = [];
    const stack = [...heads];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      nodes.push(n);
      for (const x of n.inputs) if (!plan.materialized.has(x)) stack.push(x);
    }
    return { name: lowered.kernels[i]!.name, nodes };
  });
  return { graph, kernels };
}
