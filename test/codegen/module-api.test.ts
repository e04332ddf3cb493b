// The generated module's outer API: initParams(seed) gives exactly gradc's initial params (every
// initializer kind), and create(params?) checks every feed's size on every call, naming it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileToFiles } from '../../src/cli/api.ts';
import { gradcVersion } from '../../src/cli/help.ts';
import { importJs } from '../../codegen/ts/js.ts';
import { importTs } from '../support/import-ts.ts';
import { compile } from '../../src/compile.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { emitTs, emitWgsl } from '../../src/pipeline.ts';
import { createParams } from '../../src/runtime/params.ts';
import { reluAdamStep, seedMlpStep } from './models.ts';

type Arrays = Record<string, Float32Array>;
interface Module {
  shapes: { inputs: Record<string, readonly number[]> };
  initParams(seed?: number): Arrays;
  create(params?: Arrays): {
    step(inputs: Arrays): { loss: Float32Array };
    run(inputs: Arrays): { loss: Float32Array };
    params: Arrays;
    dispose(): void;
  };
}

const load = async (g: Graph, wasm: 'auto' | 'all' | 'off' = 'auto') =>
  importJs<Module>((await emitTs(g, { format: false, lang: 'js', wasm })).source);

/** A graph with one param of each initializer kind. */
function everyInit(): Graph {
  const g = new Graph('inits');
  const x = g.input('x', [2, 3]);
  const ps = [
    g.param('n', [3, 4], init.normal(0.5, 0.25)),
    g.param('u', [3, 4], init.uniform(-2, 3)),
    g.param('z', [3, 4], init.zeros),
    g.param('c', [3, 4], init.constant(-0.75)),
    g.param('v', [3, 4], init.values(Array.from({ length: 12 }, (_, i) => i / 7))),
  ];
  g.output('y', ps.reduce((acc, p) => acc.add(x.matmul(p)), x.matmul(ps[0]!)).sum());
  return g;
}

const adapter = await hasAdapter();
if (!adapter) console.warn('\n*** WGSL module API test SKIPPED: no WebGPU adapter ***\n');

describe('generated module API', () => {
  test.each([
    ['seed MLP', () => seedMlpStep().g],
    ['ReLU + Adam', () => reluAdamStep().g],
    ['every initializer kind', everyInit],
  ])('initParams(seed) equals gradc initial params: %s', async (_name, build) => {
    const g = build();
    const mod = await load(g);
    for (const seed of [0, 7]) {
      const ours = mod.initParams(seed);
      const gradc = createParams(g, seed);
      expect(Object.keys(ours).length).toBeGreaterThan(0);
      for (const [name, v] of Object.entries(ours)) expect(v).toEqual(gradc[name]);
    }
    expect(mod.initParams(1)).not.toEqual(mod.initParams(2));
  });

  test('create() trains like compile(), and checks feed sizes on every call', async () => {
    const g = seedMlpStep({ batch: 4, sizes: [6, 5, 3] }).g;
    const mod = await load(g);
    const model = mod.create();
    const exe = await compile(g, { target: 'ts', seed: 0 });
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const y = Float32Array.from({ length: 12 }, (_, i) => i % 2);
    for (let i = 0; i < 3; i++) {
      expect(model.step({ x, y }).loss[0]).toBe((await exe.step({ x, y }))['loss']![0]);
    }
    expect(() => model.step({ x: x.subarray(1), y })).toThrow(
      "input 'x' needs 24 values (shape [4, 6]), got 23",
    );
    expect(() => model.step({ x } as Arrays)).toThrow(
      "input 'y' needs 12 values (shape [4, 3]), got none",
    );
    const bad = { ...mod.initParams(), W1: new Float32Array(3) };
    expect(() => mod.create(bad)).toThrow("param 'W1' needs 30 values (shape [6, 5]), got 3");
    model.dispose();
  });

  test.each(['all', 'off'] as const)(
    "a training module's run evaluates the outputs and leaves the params alone (wasm %s)",
    async (wasm) => {
      const g = reluAdamStep(4, [6, 5, 3]).g;
      const { source } = await emitTs(g, { format: false, lang: 'js', wasm });
      // 'all': run copies its feeds into the wasm memory and runs the kernels there.
      expect(source.includes('function runInMemory(')).toBe(wasm === 'all');
      const mod = await importJs<Module>(source);
      const model = mod.create(mod.initParams(1));
      const exe = await compile(g, { target: 'interp', seed: 1 });
      const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
      const labels = Int32Array.from([0, 2, 1, 2]) as unknown as Float32Array;
      const before = Object.fromEntries(
        Object.entries(model.params).map(([k, v]) => [k, Float32Array.from(v)]),
      );
      const t = Float32Array.of(1);
      // No `t` for the module's run: the step number only feeds the update.
      const loss = model.run({ x, labels }).loss[0]!;
      expect(loss).toBeCloseTo((await exe.run({ x, labels, t }))['loss']![0]!, 5);
      expect(model.run({ x, labels }).loss[0]).toBe(loss);
      for (const [k, v] of Object.entries(model.params)) expect(v).toEqual(before[k]);
      // A step trains (params and Adam's state change); run then sees the new params.
      expect(model.step({ x, labels, t }).loss[0]).toBe(loss);
      await exe.step({ x, labels, t });
      expect(model.params['W1']).not.toEqual(before['W1']);
      expect(model.params['W1_m']).not.toEqual(before['W1_m']);
      const after = model.run({ x, labels }).loss[0]!;
      expect(after).not.toBe(loss);
      expect(after).toBeCloseTo((await exe.run({ x, labels, t }))['loss']![0]!, 5);
      expect(() => model.run({ x: x.subarray(1), labels })).toThrow(
        "input 'x' needs 24 values (shape [4, 6]), got 23",
      );
      expect(() => model.run({ x })).toThrow("input 'labels' needs 4 values (shape [4]), got none");
    },
  );

  test('the header names the gradc version and the model file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gradc-header-'));
    const res = await compileToFiles('examples/models/xor-mlp.ts', { out, typecheck: false });
    const head = readFileSync(res.files[0]!, 'utf8').split('\n').slice(0, 2);
    expect(gradcVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(head[1]).toBe(`// gradc ${gradcVersion()}, model examples/models/xor-mlp.ts`);
  });

  test.skipIf(!adapter)('the WGSL host: shapes, initParams and create(device) checks', async () => {
    const g = seedMlpStep({ batch: 4, sizes: [6, 5, 3] }).g;
    const host = await importTs<{
      shapes: Module['shapes'];
      initParams(seed?: number): Arrays;
      create(
        d: GPUDevice,
        p?: Arrays,
      ): Promise<{
        step(i: Arrays): Promise<{ loss: Float32Array }>;
        run(i: Arrays): Promise<{ loss: Float32Array }>;
        dispose(): void;
      }>;
    }>((await emitWgsl(g, { format: false })).host);
    const cpu = await load(g);
    expect(host.shapes).toEqual(cpu.shapes);
    expect(host.initParams(3)).toEqual(cpu.initParams(3));
    const device = await getDevice();
    const bad = { ...host.initParams(), b1: new Float32Array(2) };
    await expect(host.create(device, bad)).rejects.toThrow(
      "param 'b1' needs 5 values (shape [5]), got 2",
    );
    const model = await host.create(device);
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i));
    const y = new Float32Array(12).fill(0.5);
    expect(() => model.step({ x, y: y.subarray(2) })).toThrow(
      "input 'y' needs 12 values (shape [4, 3]), got 10",
    );
    const twin = cpu.create();
    // run: the forward pass only, before and after a step, on the params the step left.
    const before = (await model.run({ x, y })).loss[0]!;
    expect(before).toBeCloseTo(twin.run({ x, y }).loss[0]!, 5);
    const gpuLoss = (await model.step({ x, y })).loss[0]!;
    expect(gpuLoss).toBeCloseTo(twin.step({ x, y }).loss[0]!, 5);
    expect(gpuLoss).toBeCloseTo(before, 6);
    const after = (await model.run({ x, y })).loss[0]!;
    expect(after).not.toBeCloseTo(before, 6);
    expect(after).toBeCloseTo(twin.run({ x, y }).loss[0]!, 5);
    expect(() => model.run({ x: x.subarray(1), y })).toThrow(
      "input 'x' needs 24 values (shape [4, 6]), got 23",
    );
    model.dispose();
  });
});
