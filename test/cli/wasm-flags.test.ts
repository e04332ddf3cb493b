// `gradc compile|train --wasm auto|all|off --threads N`: the TS target's CPU kernels chosen from the
// command line — which kernels are WebAssembly, and how many threads share each large matmul.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { gradc, tempDir, warmTypecheck } from './run.ts';

const XOR = 'examples/models/xor-mlp.ts';
const SEED = 'examples/seed-mlp/model.ts';

async function compiled(model: string, flags: string[]): Promise<string> {
  const out = tempDir();
  const r = await gradc(['compile', model, '--out', out, '--mode', 'train', ...flags]);
  if (r.code !== 0) throw new Error(r.stderr);
  const name = model === XOR ? 'xor_mlp.ts' : 'seed_mlp.ts';
  return readFileSync(join(out, name), 'utf8');
}

describe.concurrent('gradc --wasm and --threads', () => {
  beforeAll(() => warmTypecheck([XOR, SEED]));

  it('compile --wasm off writes TypeScript kernels only; all puts every kernel in wasm', async ({
    expect,
  }) => {
    const [off, all, auto] = await Promise.all([
      compiled(XOR, ['--wasm', 'off']),
      compiled(XOR, ['--wasm', 'all']),
      compiled(XOR, []),
    ]);
    expect(off).not.toContain('wasmBytes');
    expect(all).toContain('const wasmBytes =');
    expect(all.match(/if \(wasm\) wasm\./g)!.length).toBeGreaterThan(3);
    // The XOR network is tiny: the size rule keeps its kernels in TypeScript.
    expect(auto).not.toContain('wasmBytes');
  });

  it('compile --threads 2 splits the large matmuls over worker threads', async ({ expect }) => {
    // Batch 200: the 200×784·784×30 forward and the xᵀ·δ weight gradient are large enough.
    const src = await compiled(SEED, ['--threads', '2', '--batch', '200']);
    expect(src).toMatch(/const THREAD_PLAN: ThreadPlan = \{\s*threads: 2,/);
    expect(/split: \[\s*('[^']+',?\s*){2}\]/.test(src)).toBe(true);
  });

  it('refuses a bad setting, naming the option', async ({ expect }) => {
    const [wasm, threads] = await Promise.all([
      gradc(['compile', XOR, '--wasm', 'fast']),
      gradc(['compile', XOR, '--threads', '0']),
    ]);
    expect(wasm.code).toBe(2);
    expect(wasm.stderr).toMatch(/--wasm.*auto\|all\|off|auto, all, off/);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain("option '--threads' needs a positive integer, got 0");
  });

  it('train runs with --wasm off and with --wasm all, and help lists both flags', async ({
    expect,
  }) => {
    const [off, all, help] = await Promise.all([
      gradc(['train', XOR, '--epochs', '2', '--wasm', 'off']),
      gradc(['train', XOR, '--epochs', '2', '--wasm', 'all']),
      gradc(['train', '--help']),
    ]);
    for (const r of [off, all]) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/trained 'xor_mlp' on ts: 2 epochs/);
    }
    // The same arithmetic on both paths: the final losses agree to the printed digits.
    const loss = (s: string) => /final loss ([\d.]+)/.exec(s)![1];
    expect(Math.abs(Number(loss(off.stdout)) - Number(loss(all.stdout)))).toBeLessThan(2e-4);
    expect(help.stdout).toContain('--wasm auto|all|off');
    expect(help.stdout).toContain('--threads N');
  });
});
