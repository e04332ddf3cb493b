// `gradc compile --watch`: builds once, then again when the model file changes (in a fresh
// process, so the edit is seen); the generated module follows the edit.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, tempDir } from './run.ts';

const model = (name: string) => `import { Graph } from '${join(ROOT, 'src/index.ts')}';
const g = new Graph('${name}');
const x = g.input('x', [3]);
g.output('y', x.mul(2));
export default g;
`;

/** Resolves when `check()` holds, polling; rejects after `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('compile --watch rebuilds when the model changes', async () => {
  const dir = tempDir();
  const file = join(dir, 'model.ts');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(file, model('first'));
  const out = join(dir, 'gen');
  const args = [
    join(ROOT, 'bin/gradc.js'),
    'compile',
    file,
    '--out',
    out,
    '--watch',
    '--no-typecheck',
  ];
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  try {
    await until(() => /watching/.test(stdout), 90_000);
    expect(existsSync(join(out, 'first.ts'))).toBe(true);
    writeFileSync(file, model('second'));
    await until(() => existsSync(join(out, 'second.ts')), 90_000);
    expect(readFileSync(join(out, 'second.ts'), 'utf8')).toMatch(/graph "second"/);
    // The file can appear before the child's summary line reaches us: wait for that too.
    await until(() => (stdout.match(/wrote /g)?.length ?? 0) >= 2, 30_000);
    expect(stdout.match(/wrote /g)?.length).toBe(2);
  } finally {
    child.kill();
  }
});
