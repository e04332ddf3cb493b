// gradc/vite: a Vite plugin that turns `import * as net from './model.ts?gradc'` into the module
// gradc generates from that model file at build time (`&target=wgsl` for the WebGPU host). The
// generated TypeScript goes through Vite's own TypeScript transform.
import { dirname, resolve } from 'node:path';
import { generateModule, parseGradcImport } from './generate.ts';

/** The part of Vite's plugin API used here (declared locally: vite stays optional). */
export interface VitePlugin {
  readonly name: string;
  readonly enforce: 'pre';
  resolveId(id: string, importer?: string): string | null;
  load(id: string): Promise<{ code: string } | null>;
}

export function gradcPlugin(): VitePlugin {
  return {
    name: 'gradc',
    enforce: 'pre',
    resolveId(id, importer) {
      const imp = parseGradcImport(id);
      if (!imp) return null;
      const base = importer ? dirname(importer.replace(/\?.*$/, '')) : process.cwd();
      return `${resolve(base, imp.path)}${id.slice(imp.path.length)}`;
    },
    async load(id) {
      const imp = parseGradcImport(id);
      if (!imp) return null;
      return { code: await generateModule(imp.path, imp) };
    },
  };
}
