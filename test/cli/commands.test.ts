// The CLI's commands on the example models, by spawning bin/gradc.js: help, inspect (golden
// --grad text), compile (files and summary), check (pass and fail) and train.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { gradc, hasStack, ROOT, tempDir, warmTypecheck } from './run.ts';

const XOR = 'examples/models/xor-mlp.ts';
/** The seed network (Nielsen's 784-30-10 sigmoid MLP), from the nn examples. */
const SEED = 'examples/seed-mlp/model.ts';

describe.concurrent('gradc commands', () => {
  beforeAll(() =>
    warmTypecheck([
      SEED,
      'examples/models/regression.ts',
      'examples/models/broken/stop-gradient.ts',
    ]),
  );

  it('prints help and version', async ({ expect }) => {
    const [help, version, sub] = await Promise.all([
      gradc(['--help']),
      gradc(['--version']),
      gradc(['compile', '--help']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/commands:[\s\S]*compile[\s\S]*inspect[\s\S]*check[\s\S]*train/);
    expect(version.stdout).toMatch(/^gradc \d+\.\d+\.\d+\n$/);
    expect(sub.stdout).toContain('--target ts|wgsl');
    expect(sub.stdout).toContain('--explain-fusion');
  });

  it('inspect --grad prints the backward graph with provenance (golden)', async ({ expect }) => {
    const r = await gradc(['inspect', SEED, '--grad']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('∂L/∂dense1.W = xᵀ · ∂L/∂');
    await expect(r.stdout).toMatchFileSnapshot('../golden/seed-mlp-grad.txt');
  });

  it('inspect renders DOT, and an HTML page with a picture and the kernels', async ({ expect }) => {
    const dir = tempDir();
    const [dot, html] = await Promise.all([
      gradc(['inspect', XOR, '--format', 'dot']),
      gradc(['inspect', XOR, '--kernels', '--format', 'html', '--out', join(dir, 'g.html')]),
    ]);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "xor_mlp" \{/);
    expect(dot.stdout).toContain('->');
    expect(html.code).toBe(0);
    const page = readFileSync(join(dir, 'g.html'), 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('kernel 0: dense1.a_matmul_bias_sigmoid');
    expect(page).toMatch(/memory: \d+ kernels, peak \d+ bytes/);
  });

  it('compile writes the module and summarizes params, kernels and memory', async ({ expect }) => {
    const out = tempDir();
    const r = await gradc(['compile', XOR, '--out', out, '--mode', 'train', '--explain-fusion']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['xor_mlp.ts']);
    const src = readFileSync(join(out, 'xor_mlp.ts'), 'utf8');
    expect(src).toContain('export function step(');
    expect(r.stdout).toMatch(/params: 4 tensors, 13 values/);
    expect(r.stdout).toMatch(/dense1\.W\s+\[2,3\]\s+6/);
    expect(r.stdout).toMatch(/kernels: \d+/);
    expect(r.stdout).toContain('matmul → broadcast → add → sigmoid');
    expect(r.stdout).toMatch(/memory: peak .* unplanned/);
    expect(r.stdout).toContain('fusion decisions:');
    expect(r.stdout).toMatch(/compiled graph 'xor_mlp' for target ts in \d+ ms/);
  });

  it('compile --target wgsl writes shaders and a host, or says the target is missing', async ({
    expect,
  }) => {
    const out = tempDir();
    const r = await gradc([
      'compile',
      'examples/models/regression.ts',
      '--target',
      'wgsl',
      '--out',
      out,
    ]);
    if (existsSync(join(ROOT, 'codegen/wgsl/emit.ts')) && r.code === 0) {
      expect(readdirSync(out).some((f) => f.endsWith('.wgsl'))).toBe(true);
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('gradc: the WGSL target is not available in this build\n');
      expect(readdirSync(out)).toEqual([]);
    }
  });

  it('check passes on a healthy model and fails (exit 1) on a wrong gradient', async ({
    expect,
  }) => {
    const [ok, bad] = await Promise.all([
      gradc(['check', 'examples/models/regression.ts']),
      gradc(['check', 'examples/models/broken/stop-gradient.ts']),
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^w\s+\[3,1\]\s+3\s.*ok$/m);
    expect(ok.stdout).toContain('PASS: 2 params');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^w\s+\[3\]\s+3\s.*FAIL$/m);
    expect(bad.stdout).toContain('FAIL: w outside');
    expect(hasStack(bad.stdout + bad.stderr)).toBe(false);
  });

  it('train runs the model’s training setup and saves a checkpoint', async ({ expect }) => {
    const dir = tempDir();
    const save = join(dir, 'xor.safetensors');
    const r = await gradc(['train', XOR, '--epochs', '3', '--lr', '1', '--save', save]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epoch 3\/3 {2}loss \d\.\d{4} {2}acc .* val_acc/);
    expect(r.stdout).toMatch(/trained 'xor_mlp' on ts: 3 epochs/);
    expect(existsSync(save)).toBe(true);
  });
});
