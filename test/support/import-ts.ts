// Tests: generated TypeScript module text (a WebGPU host, a TS module) → the imported module.
// esbuild strips the types; gradc itself never imports TypeScript text (in-process TS renders
// JavaScript, and in-process WGSL hands the host plan to the engine).
import { transform } from 'esbuild';
import { importJs } from '../../codegen/ts/js.ts';

export async function importTs<T>(source: string): Promise<T> {
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  return importJs<T>(code);
}
