// examples/seed-mlp, small: 2,500 training digits for 10 epochs reach > 70% on 500 held-out
// digits with the loss falling ≥ 3-fold; and the one-command run prints the seed's `Epoch j: k / n`
// line per epoch and `test accuracy: NN.N%` last, and writes the generated modules and the curve.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { SEED, trainSeedMlp } from '../../examples/seed-mlp/train.ts';
import { testOnTargets } from './targets.ts';

testOnTargets('seed-mlp (2,500 digits, 10 epochs): > 70% held-out accuracy', async (target) => {
  const split = { train: 2500, test: 500 };
  const r = await trainSeedMlp({ target, epochs: 10, seed: SEED, out: null, log: null, ...split });
  expect(r.accuracy).toBeGreaterThan(0.7);
  expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0]!.loss / 3);
});

test('npx tsx examples/seed-mlp/train.ts: the last line, gen/ files', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gradc-seed-'));
  const args = ['--import', 'tsx', 'examples/seed-mlp/train.ts', '--epochs', '1'];
  const { stdout } = await promisify(execFile)(process.execPath, [
    ...args,
    ...['--train', '500', '--test', '100', '--out', out],
  ]);
  expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^test accuracy: \d{1,3}\.\d%$/);
  expect(stdout).toMatch(/^Epoch 0: \d{1,3} \/ 100$/m); // the seed's line, plain (not a TTY)
  expect(stdout).toMatch(/^500 training digits, 100 test digits$/m);
  expect(stdout).toMatch(/^1 epochs: \d+\.\d s compile \+ training, \d+\.\d s in all/m);
  expect(readFileSync(join(out, 'seed-mlp-step.ts'), 'utf8')).toMatch(/export function step\(/);
  expect(existsSync(join(out, 'seed-mlp-eval.ts'))).toBe(true);
  expect(readFileSync(join(out, 'seed-mlp-curve.svg'), 'utf8')).toMatch(/^<svg /);
});
