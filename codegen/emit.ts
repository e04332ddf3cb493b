// emitFiles(graph, { target }): the files a build writes for one graph, for any target — one .ts
// module for 'ts'; WGSL shader(s) plus a TypeScript host for 'wgsl' (from codegen/wgsl/emit.ts).
import { existsSync } from 'node:fs';
import type { Graph } from '../src/ir/graph.ts';
import type { Program } from '../src/schedule/kernel.ts';
import { sanitize } from './names.ts';
import { emitTs } from './ts/emit.ts';

export type FileTarget = 'ts' | 'wgsl';

export interface EmittedFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly text: string;
}

export interface EmittedFiles {
  readonly files: readonly EmittedFile[];
  readonly program: Program;
  /** 'step' when the graph has updates (a training step), else 'run'. */
  readonly entry: 'step' | 'run';
}

/** Thrown when the requested renderer is not part of this build. */
export class TargetUnavailableError extends Error {
  override readonly name = 'TargetUnavailableError';
}

interface WgslEmitter {
  emitWgsl(g: Graph): Promise<{ files: readonly EmittedFile[]; program: Program }>;
}

/** The generated module's file name: the graph's name as an identifier. */
export const moduleFileName = (g: Graph): string => sanitize(g.name);

export async function emitFiles(g: Graph, opts: { target: FileTarget }): Promise<EmittedFiles> {
  const entry = g.updates.size > 0 ? 'step' : 'run';
  if (opts.target === 'ts') {
    const out = await emitTs(g);
    const files = [{ path: `${moduleFileName(g)}.ts`, text: out.source }];
    return { files, program: out.program, entry: out.entry };
  }
  const wgsl = await loadWgsl();
  const out = await wgsl.emitWgsl(g);
  return { files: out.files, program: out.program, entry };
}

async function loadWgsl(): Promise<WgslEmitter> {
  const url = new URL('./wgsl/emit.ts', import.meta.url);
  // Imported by URL, so tsc does not require the file while the WGSL renderer is optional.
  const mod = existsSync(url) ? ((await import(url.href)) as Partial<WgslEmitter>) : undefined;
  if (typeof mod?.emitWgsl !== 'function') {
    throw new TargetUnavailableError('the WGSL target is not available in this build');
  }
  return mod as WgslEmitter;
}
