// TypeScript module text → an imported module, for the generated WebGPU host in process (Node).
// esbuild strips the types (it comes with tsx, which loads model files); the specifier is a
// variable so that bundlers leave esbuild out of browser bundles of gradc.
import { importJs } from './js.ts';

interface Esbuild {
  transform(code: string, opts: { loader: 'ts'; format: 'esm' }): Promise<{ code: string }>;
}

const ESBUILD = 'esbuild';

export async function importTs<T>(source: string): Promise<T> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import(/* @vite-ignore */ ESBUILD)) as Esbuild;
  } catch {
    throw new Error(
      'loading a generated TypeScript module in process needs esbuild (Node); in a browser, ' +
        'import the module that `gradc compile` writes instead',
    );
  }
  const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm' });
  return importJs<T>(code);
}
