// examples/build-time: its prebuild script runs `gradc compile`, and its code runs on the result.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, spawn } from './run.ts';

const DIR = join(ROOT, 'examples/build-time');

it('prebuild generates the module that main.ts imports and runs', async () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const pre = await spawn(npm, ['run', '--silent', 'prebuild'], DIR);
  expect(pre.stderr.replace(/npm warn.*\n/g, '')).toBe('');
  expect(pre.code).toBe(0);
  expect(pre.stdout).toContain('wrote generated/spam_score.ts');
  const run = await spawn(process.execPath, ['--import', 'tsx', 'main.ts'], DIR);
  expect(run.code).toBe(0);
  // σ(2·1.5 + 0.25), σ(2·(−2) + 0.25), σ(1.5 − 2 + 0.25)
  expect(run.stdout).toBe(
    [0.963, 0.023, 0.438]
      .map((p, i) => `message ${i}: spam probability ${p.toFixed(3)}\n`)
      .join(''),
  );
});
