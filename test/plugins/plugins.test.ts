// The build-tool plugins: a real esbuild build and a real Vite build of an entry that imports
// `model.ts?gradc`; the bundled generated module trains like gradc's in-process compile.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';
import { describe, expect, test } from 'vitest';
import { loadModel } from '../../src/cli/load.ts';
import { compile } from '../../src/compile.ts';
import { gradcPlugin as esbuildPlugin } from '../../src/plugins/esbuild.ts';
import { parseGradcImport } from '../../src/plugins/generate.ts';
import { gradcPlugin as vitePlugin } from '../../src/plugins/vite.ts';
import { ROOT } from '../cli/run.ts';

const MODEL = join(ROOT, 'examples/models/xor-mlp.ts');
const dir = mkdtempSync(join(tmpdir(), 'gradc-plugins-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `export * from '${MODEL}?gradc&batch=4';\n`);

interface Generated {
  shapes: { inputs: Record<string, readonly number[]> };
  createWorkspace(): unknown;
  step(inputs: unknown, params: unknown, ws: unknown): { loss: Float32Array };
}

const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const y = new Float32Array([0, 1, 1, 0]);
const lr = new Float32Array([2]);

/** Three steps of the bundled module and of gradc's own compile, from the same params. */
async function compare(bundle: string, name: string): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, bundle);
  const mod = (await import(pathToFileURL(file).href)) as Generated;
  expect(mod.shapes.inputs['x']).toEqual([4, 2]);
  const graph = await (await loadModel(MODEL, { typecheck: false })).build('train', 4);
  const exe = await compile(graph, { target: 'ts', seed: 1 });
  const params = Object.fromEntries(Object.entries(exe.params).map(([k, v]) => [k, v.slice()]));
  const ws = mod.createWorkspace();
  for (let i = 0; i < 3; i++) {
    const ours = mod.step({ x, y, lr }, params, ws).loss[0]!;
    const theirs = (await exe.step({ x, y, lr }))['loss']![0]!;
    expect(ours).toBe(theirs);
  }
}

describe('build-tool plugins', () => {
  test('the import query: target, mode and batch, with clear errors', () => {
    expect(parseGradcImport('./m.ts')).toBeNull();
    expect(parseGradcImport('./m.ts?gradc')).toEqual({
      path: './m.ts',
      target: 'ts',
      mode: 'train',
    });
    expect(parseGradcImport('./m.ts?gradc&target=wgsl&mode=infer&batch=8')).toEqual({
      path: './m.ts',
      target: 'wgsl',
      mode: 'infer',
      batch: 8,
    });
    expect(() => parseGradcImport('./m.ts?gradc&target=glsl')).toThrow(/target must be ts or wgsl/);
    expect(() => parseGradcImport('./m.ts?gradc&batch=0')).toThrow(/batch must be a positive/);
  });

  test('esbuild: import model.ts?gradc bundles the generated module', async () => {
    const r = await esbuild({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [esbuildPlugin()],
    });
    const js = r.outputFiles[0]!.text;
    expect(js).not.toMatch(/from ['"]/); // self-contained: the generated module imports nothing
    await compare(js, 'esbuild.mjs');
  });

  test('vite: import model.ts?gradc builds the generated module', async () => {
    const out = await vite({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      plugins: [vitePlugin()],
      build: {
        write: false,
        minify: false,
        lib: { entry, formats: ['es'], fileName: 'lib' },
      },
    });
    const result = Array.isArray(out) ? out[0]! : out;
    if (!('output' in result)) throw new Error('vite build returned a watcher');
    const chunk = result.output.find((o) => o.type === 'chunk')!;
    await compare(chunk.code, 'vite.mjs');
  });
});
