// gradc compile formats with prettier's standalone build loaded from a V8 code cache
// (src/cli/tsload.ts): the same text as the package's own entry, and a later process starts
// from the cache that an earlier one wrote.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { loadPrettier } from '../../src/cli/tsload.ts';
import { seedMlpStep } from '../codegen/models.ts';
import { ROOT } from './run.ts';

const OPTIONS = { parser: 'typescript', printWidth: 100, singleQuote: true };

describe("prettier from gradc's code cache", () => {
  it('formats a generated module exactly as the prettier package does', async () => {
    const raw = (await emitTs(seedMlpStep().g, { format: false })).source;
    const standalone = loadPrettier()!;
    const got = await standalone.format(raw, OPTIONS);
    expect(got).toBe(await prettier.format(raw, OPTIONS));
    expect(got).not.toBe(raw); // the unformatted text differs: the comparison means something
  });

  it('a later process loads it from the cache an earlier one wrote', () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const load = pathToFileURL(join(ROOT, 'src/cli/tsload.ts')).href;
    const probe = () =>
      execFileSync(
        process.execPath,
        [
          '--import',
          tsx,
          '--input-type=module',
          '-e',
          `const t = await import('${load}');
           await t.loadPrettier().format('let  a = 1', { parser: 'typescript' });
           const used = ['prettier/standalone', 'prettier/plugins/estree', 'prettier/plugins/typescript'].map((s) => t.codeCacheUsed(s));
           t.saveCodeCaches();
           console.log(JSON.stringify(used));`,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
    probe(); // writes the caches if this checkout had none (or stale ones)
    expect(JSON.parse(probe())).toEqual([true, true, true]);
  });
});
