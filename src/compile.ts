// compile(graph, { target }): a graph to an Executable. The stages are src/pipeline.ts's; this
// file only turns their output into something that runs, loading each target's code on first
// use. The TS target renders plain JavaScript in process: no TypeScript compiler, no prettier.
import type { Graph } from './ir/graph.ts';
import { emitTs, forwardOnly } from './pipeline.ts';
import type { ProgramStats } from './schedule/kernel.ts';
import type { CompileReport, Executable, Target } from './runtime/executable.ts';
import { interpExecutable } from './runtime/interp-exec.ts';
import { guardNumerics } from './runtime/numerics.ts';
import { checkAllocatable } from './runtime/params.ts';

export interface CompileOptions {
  readonly target?: Target;
  /** Seed for param initialization. */
  readonly seed?: number;
  /**
   * TS target: kernels in WebAssembly SIMD ('auto', the default: all but the tiniest, see
   * codegen/wasm/module.ts), every map/reduce/matmul ('all', for tests) or none ('off').
   */
  readonly wasm?: 'auto' | 'all' | 'off';
  /**
   * TS target with wasm: threads sharing each large matmul (1, the default; more use Node worker
   * threads over a shared WebAssembly memory, see codegen/ts/threads.ts).
   */
  readonly threads?: number;
  /**
   * The numerics guard: stop at the first NaN/±∞ and name the kernel, op and user line. Every
   * kernel checks what it writes (TS after the kernel; WGSL inside it, into a status buffer read
   * back with the outputs); the call is then replayed op by op in float32 to find the op.
   */
  readonly checkNumerics?: boolean;
}

export async function compile(g: Graph, opts: CompileOptions = {}): Promise<Executable> {
  const exe = await compileTarget(g, opts);
  if (!opts.checkNumerics) return exe;
  return guardNumerics(exe, { checkedOnDevice: exe.target === 'wgsl' });
}

async function compileTarget(g: Graph, opts: CompileOptions): Promise<Executable> {
  const target = opts.target ?? 'ts';
  const checkNumerics = opts.checkNumerics === true;
  const seed = opts.seed ?? 0;
  const t0 = performance.now();
  const report = (s: ProgramStats): CompileReport => ({
    kernels: s.kernels,
    peakBytes: s.peakBytes,
    unplannedBytes: s.unplannedBytes,
    compileMs: performance.now() - t0,
  });
  checkAllocatable(g); // before any work: a too-large param fails fast, naming itself
  switch (target) {
    case 'interp':
      return interpExecutable(g, seed);
    case 'wgsl': {
      // Emits for the device's limits once it has one (through the same pipeline).
      const { compileWgsl } = await import('../codegen/wgsl/load.ts');
      const exe = await compileWgsl(g, seed, { checkNumerics });
      return withReport(exe, report(exe.program));
    }
    case 'ts': {
      const { importJs } = await import('../codegen/ts/js.ts');
      const { tsExecutable } = await import('../codegen/ts/load.ts');
      type Mod = import('../codegen/ts/load.ts').GeneratedModule;
      // JavaScript, unformatted: it is only run (gradc compile writes formatted TypeScript).
      const wasm = opts.wasm ?? 'auto';
      const threads = opts.threads ?? 1;
      const js = (graph: Graph) =>
        emitTs(graph, { format: false, lang: 'js', wasm, threads, checkNumerics });
      const emitted = await js(g);
      const main = await importJs<Mod>(emitted.source);
      const forward = async () => importJs<Mod>((await js(forwardOnly(g))).source);
      return withReport(tsExecutable(g, { main, forward }, seed), report(emitted.program.stats));
    }
  }
}

/** Attach the report without copying the executable (its `params` may be a getter). */
function withReport<E extends Executable>(exe: E, report: CompileReport): E {
  return Object.defineProperty(exe, 'report', { value: report, enumerable: true });
}
