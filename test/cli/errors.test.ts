// Bad input to the real CLI: each case gives one clear message, exit 1 (2 for usage errors), no
// stack trace unless --verbose, and leaves earlier output in place.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { gradc, hasStack, ROOT, tempDir, warmTypecheck } from './run.ts';

const INDEX = join(ROOT, 'src/index.ts');

/** A model file written at test time (broken TypeScript cannot live in the typechecked tree). */
function model(name: string, lines: readonly string[]): string {
  const file = join(tempDir(), name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe.concurrent('gradc on bad input', () => {
  beforeAll(() => warmTypecheck(['examples/models/broken/not-a-graph.ts']));

  it('a missing model file', async ({ expect }) => {
    const r = await gradc(['compile', 'examples/models/nope.ts']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: "gradc: no such model file 'examples/models/nope.ts'\n",
    });
  });

  it('a syntax error, with file:line and the line', async ({ expect }) => {
    const file = model('syntax.ts', [
      `import { Graph } from '${INDEX}';`,
      "const g = new Graph('s';",
      'export default g;',
    ]);
    const r = await gradc(['inspect', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradc: the model .*syntax\.ts has a syntax error\n/);
    expect(r.stderr).toMatch(/syntax\.ts:2:\d+ - error TS\d+: '\)' expected\./);
    expect(r.stderr).toContain("2 | const g = new Graph('s';");
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('a type error, which tsx alone would not report', async ({ expect }) => {
    const file = model('types.ts', [
      `import { Graph } from '${INDEX}';`,
      "const g = new Graph('t');",
      "const x = g.input('x', [2, 2]);",
      'const n: number = x.add(1);',
      "g.output('y', x);",
      'export default g;',
    ]);
    const r = await gradc(['compile', file, '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /types\.ts:4:7 - error TS2322: Type 'Node' is not assignable to type 'number'\./,
    );
    expect(r.stderr).toContain('4 | const n: number = x.add(1);');
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('a default export that is not a graph (stack only with --verbose)', async ({ expect }) => {
    const path = 'examples/models/broken/not-a-graph.ts';
    const [plain, verbose] = await Promise.all([
      gradc(['check', path]),
      gradc(['check', path, '--verbose']),
    ]);
    expect(plain).toEqual({
      code: 1,
      stdout: '',
      stderr: `gradc: the default export of ${path} is not a graph (got a plain object)\n`,
    });
    expect(verbose.code).toBe(1);
    expect(hasStack(verbose.stderr)).toBe(true);
  });

  it('a shape error names the user’s line, and earlier output stays', async ({ expect }) => {
    const out = tempDir();
    writeFileSync(join(out, 'shape_error.ts'), '// previous build\n');
    const r = await gradc(['compile', 'examples/models/broken/shape-error.ts', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^gradc: shape error: matmul: .*operand shapes \[4,3\], \[4,2\] \(at examples\/models\/broken\/shape-error\.ts:8\)\n/,
    );
    expect(r.stderr).toContain("8 |   g.output('y', x.matmul(w));");
    expect(hasStack(r.stderr)).toBe(false);
    expect(readdirSync(out)).toEqual(['shape_error.ts']);
    expect(readFileSync(join(out, 'shape_error.ts'), 'utf8')).toBe('// previous build\n');
  });

  it('usage errors exit 2: unknown target, flag, command, missing model', async ({ expect }) => {
    const runs = await Promise.all([
      gradc(['compile', 'examples/models/xor-mlp.ts', '--target', 'cuda']),
      gradc(['inspect', 'examples/models/xor-mlp.ts', '--colour']),
      gradc(['compil', 'examples/models/xor-mlp.ts']),
      gradc(['check']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    const first = runs.map((r) => r.stderr.split('\n')[0]);
    expect(first).toEqual([
      "gradc: unknown target 'cuda' for '--target' (choose one of: ts, wgsl)",
      "gradc: unknown option '--colour' for 'inspect'",
      "gradc: unknown command 'compil' (commands: compile, inspect, check, train, explain)",
      "gradc: 'check' needs <model.ts>",
    ]);
    for (const r of runs) expect(hasStack(r.stderr)).toBe(false);
  });

  it('an unwritable output directory', async ({ expect }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'not a directory\n');
    const out = join(dir, 'file', 'gen');
    const r = await gradc(['compile', 'examples/models/regression.ts', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradc: cannot write to output directory '.*file\/gen': /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    mkdirSync(join(dir, 'ok'));
    expect(readdirSync(dir).sort()).toEqual(['file', 'ok']);
  });
});
