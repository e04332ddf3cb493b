// Build the browser example: compile the seed network (examples/seed-mlp/model.ts) to the
// TypeScript and the WGSL module, write a few thousand MNIST digits as one binary file, and
// bundle main.ts for the page. The page itself compiles nothing (initParams comes with the module).
// Run: npx tsx examples/browser/build.ts   then serve examples/browser/ and open index.html.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { compileToFiles } from '../../src/cli/api.ts';
import { loadMnist } from '../../src/node/mnist.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const GEN = `${HERE}gen`;
const MODEL = fileURLToPath(new URL('../seed-mlp/model.ts', import.meta.url));
/** Digits shipped to the page (the seed network trains on them; no test split here). */
export const DIGITS = 2000;
export const SEED = 2;

export async function buildExample(): Promise<void> {
  mkdirSync(GEN, { recursive: true });
  const opts = { mode: 'train', typecheck: false } as const;
  await compileToFiles(MODEL, { ...opts, target: 'ts', out: `${GEN}/ts` });
  await compileToFiles(MODEL, { ...opts, target: 'wgsl', out: `${GEN}/wgsl` });
  // data.bin: images [n, 784], then one-hot targets [n, 10].
  const { train } = loadMnist({ train: DIGITS, test: 0, seed: SEED });
  const parts = [train.images, train.oneHot].map((p) =>
    Buffer.from(p.buffer, p.byteOffset, p.byteLength),
  );
  writeFileSync(`${GEN}/data.bin`, Buffer.concat(parts));
  writeFileSync(`${GEN}/data.json`, JSON.stringify({ digits: train.n, seed: SEED }));
  await build({
    entryPoints: [`${HERE}main.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: `${GEN}/app.js`,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExample();
