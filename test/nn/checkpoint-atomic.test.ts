// Atomic saves when the write itself fails (tests may run as root, where a read-only directory
// does not stop writes, so the failure is injected into node:fs/promises).
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { values } from '../../src/ir/init.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.ts';

const failing = vi.hoisted(() => ({ on: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (failing.on)
        throw Object.assign(new Error(`EACCES: permission denied, rename '${from}'`), {
          code: 'EACCES',
        });
      return fs.rename(from, to);
    },
  };
});

test('a save that fails mid-way leaves the previous checkpoint intact and no temp file', async () => {
  const g = new Graph();
  g.output('w', g.param('w', [3], values([1, 2, 3])));
  const exe = await compile(g, { target: 'interp' });
  const d = await mkdtemp(join(tmpdir(), 'gradc-atomic-'));
  const path = join(d, 'w.safetensors');
  await saveCheckpoint(path, exe);
  const before = await readFile(path);
  exe.setParams({ w: [7, 8, 9] });
  failing.on = true;
  try {
    await expect(saveCheckpoint(path, exe)).rejects.toThrow(
      /checkpoint: could not save '.*w\.safetensors' \(EACCES.*\); any previous file there is unchanged/,
    );
  } finally {
    failing.on = false;
  }
  expect(Buffer.compare(await readFile(path), before)).toBe(0);
  expect(await readdir(d)).toEqual(['w.safetensors']);
  await loadCheckpoint(path, exe);
  expect([...exe.params['w']!]).toEqual([1, 2, 3]);
});
