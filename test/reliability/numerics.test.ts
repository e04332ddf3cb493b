// Silent wrong results, numerics: the numerics guard (compile option, fit option, gradc flags)
// names the first op that produced a NaN/±∞ and its line on every target; fit and gradc train
// stop on a non-finite loss by default and never save a non-finite checkpoint; bad fit settings
// (batch larger than the data, epochs NaN) are errors.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { values } from '../../src/ir/init.ts';
import { dataset } from '../../src/nn/data/dataset.ts';
import { fit } from '../../src/nn/fit.ts';
import type { Target } from '../../src/runtime/executable.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { emitTs, emitWgsl } from '../../src/pipeline.ts';
import { ROOT, tempDir } from '../cli/run.ts';

const adapter = await hasAdapter();
const targets: Target[] = adapter ? ['ts', 'wgsl', 'interp'] : ['ts', 'interp'];
if (!adapter)
  console.warn('\n*** reliability/numerics: WGSL cases SKIPPED (no WebGPU adapter) ***\n');

const here = () => Number(/numerics\.test\.ts:(\d+)/.exec(new Error().stack!.split('\n')[2]!)![1]);

/** loss = Σ log(x·w): a negative x gives NaN in the log, on the line recorded in `line`. */
function logGraph() {
  const g = new Graph('guarded');
  const x = g.input('x', [4]);
  const w = g.param('w', [4], values([1, 1, 1, 1]));
  const line = here() + 1;
  const l = x.mul(w).log().named('logh');
  g.output('loss', l.sum());
  g.update('w', w.sub(x.mul(0.1)));
  return { g, line };
}

describe('numerics guard', () => {
  it('names the first non-finite op, its label and the user line, on every target', async () => {
    for (const target of targets) {
      const { g, line } = logGraph();
      const exe = await compile(g, { target, checkNumerics: true });
      expect(await exe.step({ x: [1, 2, 3, 4] }).then((r) => r['loss']![0])).toBeCloseTo(
        Math.log(24),
        5,
      );
      const err = await exe.step({ x: [1, 2, -3, 4] }).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err?.name, target).toBe('GraphError');
      expect(err?.code).toBe('numerics');
      expect(err?.message, target).toMatch(
        new RegExp(
          `op log 'logh' \\[4\\] produced NaN at \\[2\\] from finite operands \\(at test/reliability/numerics\\.test\\.ts:${line}\\)$`,
        ),
      );
      // The compiled targets' kernels check what they write (WGSL on the device) and name it.
      if (target !== 'interp')
        expect(err?.message, target).toMatch(
          /^non-finite value NaN in \w+\[\d+\] after kernel \w+ \(ops: mul, log/,
        );
      exe.dispose();
    }
  });

  it('TS emits one check per float buffer a kernel writes, and none without the option', async () => {
    const { g } = logGraph();
    const plain = await emitTs(g, { format: false });
    const guarded = await emitTs(g, { format: false, checkNumerics: true });
    expect(plain.source).not.toContain('checkFinite');
    const checks = guarded.program.steps.filter((s) => s.kind === 'check').length;
    expect(checks).toBeGreaterThan(0);
    // One per check step in step(); a training module's run() repeats those of the forward pass.
    const src = guarded.source;
    const calls = (entry: string) => {
      const fn = src.includes(`function ${entry}InMemory(`) ? `${entry}InMemory` : entry;
      const from = src.search(new RegExp(`^(export )?function ${fn}\\(`, 'm'));
      expect(from).toBeGreaterThanOrEqual(0);
      return src.slice(from, src.indexOf('\n}\n', from)).match(/^\s*checkFinite\(/gm)?.length;
    };
    expect(calls('step')).toBe(checks);
    expect(calls('run')).toBeLessThanOrEqual(checks);
  });

  it('WGSL checks inside the kernels (no extra dispatch), and has no check code without the option', async () => {
    const { g } = logGraph();
    const [plain, guarded] = [
      await emitWgsl(g, { format: false }),
      await emitWgsl(g, { format: false, checkNumerics: true }),
    ];
    const checks = guarded.program.steps.filter((s) => s.kind === 'check').length;
    expect(guarded.wgsl.match(/atomicMin\(&numerics\w*\[\d+\]/g)).toHaveLength(checks);
    expect(guarded.plan.numerics?.sites).toHaveLength(checks);
    expect(guarded.plan.dispatches).toHaveLength(plain.plan.dispatches.length);
    expect(plain.wgsl).not.toMatch(/is_nonfinite|nonfinite_code|atomic/);
    expect(plain.host).not.toMatch(/is_nonfinite|numerics: \{/);
  });

  it('is off by default: without it a NaN is returned silently by compile()', async () => {
    const exe = await compile(logGraph().g, { target: 'ts' });
    expect(Number.isNaN((await exe.step({ x: [1, 2, -3, 4] }))['loss']![0])).toBe(true);
  });
});

describe('fit on non-finite losses and bad settings', () => {
  /** A linear model with a NaN in its third sample. */
  function setup() {
    const g = new Graph('lin');
    const x = g.input('x', [2, 1]);
    const y = g.input('y', [2, 1]);
    const w = g.param('w', [1, 1], values([0.5]));
    const err = x.matmul(w).sub(y).named('err');
    g.output('loss', err.mul(err).sum());
    g.update('w', w.sub(x.mul(err).sum().reshape([1, 1]).mul(0.01)));
    const xs = Float32Array.of(1, 2, 3, NaN, 5, 6);
    return {
      g,
      data: dataset(
        xs,
        xs.map((v) => 2 * v),
        [1],
        [1],
      ),
    };
  }

  it('stops on a non-finite loss by default; with checkNumerics names the op; can train on', async () => {
    const { g, data } = setup();
    const exe = await compile(g, { target: 'ts' });
    await expect(fit(exe, data, { epochs: 1, shuffleSeed: false, out: null })).rejects.toThrow(
      /^fit: the loss is NaN at epoch 1, batch 2 \(step 1\); training stopped/,
    );
    const guarded = await compile(setup().g, { target: 'ts' });
    await expect(
      fit(guarded, data, { epochs: 1, shuffleSeed: false, out: null, checkNumerics: true }),
    ).rejects.toThrow(new RegExp(`input 'x' holds NaN at \\[1\\]`));
    const on = await fit(await compile(setup().g, { target: 'ts' }), data, {
      epochs: 1,
      shuffleSeed: false,
      out: null,
      stopOnNonFinite: false,
    });
    expect(Number.isNaN(on[0]!.loss)).toBe(true);
  });

  it('a batch larger than the data and a NaN epoch count are errors', async () => {
    const { g, data } = setup();
    const exe = await compile(g, { target: 'interp' });
    const small = dataset(Float32Array.of(1), Float32Array.of(2), [1], [1]);
    await expect(fit(exe, small, { epochs: 1, out: null })).rejects.toThrow(
      'fit: the batch of 2 is larger than the data (1 samples): no step would run',
    );
    await expect(fit(exe, data, { epochs: NaN, out: null })).rejects.toThrow(
      'fit: epochs must be an integer ≥ 0, got NaN',
    );
  });
});

describe('gradc train on non-finite data and bad setups', () => {
  const model = (data: string, setup: string, fixed = false) => `
import { Graph, init, nn } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
const spec = (batch: number) => ({
  name: 'lin',
  input: { shape: [batch, 1] },
  target: { shape: [batch, 1] },
  build: (x: never) => nn.linear(x, 1, { name: 'line', init: nn.zeros }),
  loss: nn.mse,
  optimizer: nn.sgd(),
});
const xs = new Float32Array(${data});
export default ${fixed ? 'nn.trainStep(spec(2))' : '({ batch }: { batch: number }) => nn.trainStep(spec(batch))'};
export const train = { data: nn.dataset(xs, xs.map((v) => 2 * v), [1], [1]), ${setup} };
void Graph; void init;
`;
  async function run(args: string[]) {
    let [out, err] = ['', ''];
    const code = await main(args, {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      isTTY: false,
    });
    return { code, out, err };
  }

  it('stops on a NaN loss with exit 1 and saves nothing; --batch misuse and NaN epochs are errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    const files = {
      nan: model('[1, 2, NaN, 4]', 'epochs: 2, batch: 2, lr: 0.01'),
      epochs: model('[1, 2, 3, 4]', 'epochs: NaN, batch: 2, lr: 0.01'),
      fixed: model('[1, 2, 3, 4]', 'epochs: 1, lr: 0.01', true),
      small: model('[1, 2, 3, 4]', 'epochs: 1, batch: 2, lr: 0.01'),
    };
    for (const [k, text] of Object.entries(files)) writeFileSync(join(dir, `${k}.ts`), text);
    const f = (k: string) => join(dir, `${k}.ts`);
    const save = join(dir, 'w.safetensors');
    const nan = await run(['train', f('nan'), '--save', save, '--no-typecheck', '--seed', '0']);
    expect(nan.code).toBe(1);
    expect(nan.err).toMatch(/^gradc: numerics error: fit: the loss is NaN at epoch 1, batch 2/);
    expect(existsSync(save)).toBe(false);
    const located = await run(['train', f('nan'), '--check-numerics', '--no-typecheck']);
    expect(located.err).toMatch(/input 'x' holds NaN at \[\d\] \(at .*nan\.ts:\d+\)/);
    const epochs = await run(['train', f('epochs'), '--no-typecheck']);
    expect(epochs.err).toMatch(/epochs\.ts: train\.epochs must be a positive integer, got NaN/);
    const fixed = await run(['train', f('fixed'), '--batch', '4', '--no-typecheck']);
    expect(fixed.code).toBe(2);
    expect(fixed.err).toMatch(/--batch 4 cannot apply: .*fixed\.ts exports a fixed Graph/);
    const small = await run(['train', f('small'), '--batch', '8', '--no-typecheck']);
    expect(small.code).toBe(1);
    expect(small.err).toMatch(/the batch of 8 is larger than the data \(4 samples\)/);
  });
});
