// compile(graph, { target }): the one entry point from a graph to an Executable. This driver is
// the single place where src/ reaches into codegen/, and it loads each renderer only when used,
// so importing gradc stays cheap (prettier, ts-morph and Dawn load on the first compile).
import type { Graph } from './ir/graph.ts';
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
      const { compileWgsl } = await import('../codegen/wgsl/load.ts');
      return compileWgsl(g, seed);
    }
    case 'ts': {
      const { emitTs, forwardOnly } = await import('../codegen/ts/emit.ts');
      const { importTs, tsExecutable } = await import('../codegen/ts/load.ts');
      // Unformatted: the text is only transpiled, never read (gradc compile writes formatted files).
      const main = await importTs((await emitTs(g, { format: false })).source);
      const forward = async () =>
        importTs((await emitTs(forwardOnly(g), { format: false })).source);
      return tsExecutable(g, { main, forward }, seed);
    }
  }
}
