// gradc/esbuild: an esbuild plugin that turns `import * as net from './model.ts?gradc'` into the
// module gradc generates from that model file at build time (`&target=wgsl` for the WebGPU host).
import { dirname, resolve } from 'node:path';
import { generateModule, GRADC_QUERY, parseGradcImport } from './generate.ts';

/** The part of esbuild's plugin API used here (declared locally: esbuild stays optional). */
interface PluginBuild {
  onResolve(
    opts: { filter: RegExp },
    cb: (args: { path: string; resolveDir: string }) => { path: string; namespace: string },
  ): void;
  onLoad(
    opts: { filter: RegExp; namespace: string },
    cb: (args: { path: string }) => Promise<{
      contents: string;
      loader: 'ts';
      resolveDir: string;
      watchFiles: string[];
    }>,
  ): void;
}

export interface EsbuildPlugin {
  readonly name: string;
  setup(build: PluginBuild): void;
}

export function gradcPlugin(): EsbuildPlugin {
  return {
    name: 'gradc',
    setup(build) {
      build.onResolve({ filter: GRADC_QUERY }, (args) => {
        const imp = parseGradcImport(args.path)!;
        const file = resolve(args.resolveDir, imp.path);
        return { path: `${file}${args.path.slice(imp.path.length)}`, namespace: 'gradc' };
      });
      build.onLoad({ filter: /.*/, namespace: 'gradc' }, async (args) => {
        const imp = parseGradcImport(args.path)!;
        const contents = await generateModule(imp.path, imp);
        return { contents, loader: 'ts', resolveDir: dirname(imp.path), watchFiles: [imp.path] };
      });
    },
  };
}
