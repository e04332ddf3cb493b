// The model's type check runs beside the compile (a child process, typecheck-child.ts): its
// errors still come first and stop the write, and TypeScript loads from a V8 code cache.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import { gradc, hasStack, ROOT, tempDir } from './run.ts';

const INDEX = join(ROOT, 'src/index.ts');

/** An ES module model file with a unique comment, so that no cached clean check applies to it. */
function model(name: string, lines: readonly string[]): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const file = join(dir, name);
  writeFileSync(file, [...lines, `// ${process.pid} ${performance.now()}`].join('\n') + '\n');
  return file;
}

describe.concurrent('the type check beside the compile', () => {
  it('a type error comes before the runtime failure it causes, and nothing is written', async ({
    expect,
  }) => {
    const file = model('crash.ts', [
      `import { Graph } from '${INDEX}';`,
      "const g = new Graph('c');",
      "const x = g.input('x', [2]);",
      'const n: number = x.add(1);',
      'n.toFixed(2);', // a TypeError at import: the model never builds
      "g.output('y', x);",
      'export default g;',
    ]);
    const out = tempDir();
    const r = await gradc(['compile', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradc: the model .*crash\.ts has a type error\n/);
    expect(r.stderr).toMatch(/crash\.ts:4:7 - error TS2322: Type 'Node' is not assignable/);
    expect(r.stderr).not.toContain('toFixed');
    expect(hasStack(r.stderr)).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a model that builds and compiles despite a type error writes nothing', async ({ expect }) => {
    const file = model('quiet.ts', [
      `import { Graph } from '${INDEX}';`,
      "const g = new Graph('q');",
      "const x = g.input('x', [2]);",
      "const label: number = 'not a number';",
      "g.output('y', x.mul(2));",
      'export default g;',
    ]);
    const out = tempDir();
    const [checked, unchecked] = await Promise.all([
      gradc(['compile', file, '--out', out]),
      gradc(['compile', file, '--out', tempDir(), '--no-typecheck']),
    ]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/quiet\.ts:4:7 - error TS2322: Type 'string' is not assignable/);
    expect(readdirSync(out)).toEqual([]);
    expect(unchecked).toMatchObject({ code: 0, stderr: '' }); // only the check stopped it
  });

  it('a later process loads TypeScript from the code cache a check wrote', ({ expect }) => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const src = pathToFileURL(join(ROOT, 'src/cli')).href;
    const probe = (code: string) =>
      execFileSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const file = model('clean.ts', [
      `import { Graph } from '${INDEX}';`,
      "const g = new Graph('ok');",
      "g.output('y', g.input('x', [2]).mul(2));",
      'export default g;',
    ]);
    // A check writes the cache if this process did not find one (or found a stale one).
    probe(`(await import('${src}/typecheck.ts')).typecheckModel(${JSON.stringify(file)});`);
    const used = probe(
      `const t = await import('${src}/tsload.ts'); t.loadTypescript(); console.log(t.codeCacheUsed());`,
    );
    expect(used.trim()).toBe('true');
  });
});
