// compile(graph, { target }): a graph to an Executable. The stages are src/pipeline.ts's; this
// file only turns their output into something that runs, loading each target's code on first
// use. The TS target renders plain JavaScript in process: no TypeScript compiler, no prettier.
import type { Graph } from './ir/graph.ts';
import { emitTs, forwardOnly } from './pipeline.ts';
import type { Executable, Target } from './runtime/executable.ts';
import { interpExecutable } from './runtime/interp-exec.ts';

export interface CompileOptions {
  readonly target?: Target;
  /** Seed for param initialization. */
  readonly seed?: number;
}

export async function compile(g: Graph, opts: CompileOptions = {}): Promise<Executable> {
  const target = opts.target ?? 'ts';
  const seed = opts.seed ?? 0;
  switch (target) {
    case 'interp':
      return interpExecutable(g, seed);
    case 'wgsl': {
      // Emits for the device's limits once it has one (through the same pipeline).
      const { compileWgsl } = await import('../codegen/wgsl/load.ts');
      return compileWgsl(g, seed);
    }
    case 'ts': {
      const { importJs } = await import('../codegen/ts/js.ts');
      const { tsExecutable } = await import('../codegen/ts/load.ts');
      type Mod = import('../codegen/ts/load.ts').GeneratedModule;
      // JavaScript, unformatted: it is only run (gradc compile writes formatted TypeScript).
      const load = async (graph: Graph) =>
        importJs<Mod>((await emitTs(graph, { format: false, lang: 'js' })).source);
      const main = await load(g);
      return tsExecutable(g, { main, forward: () => load(forwardOnly(g)) }, seed);
    }
  }
}
