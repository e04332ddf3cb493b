// The WGSL target on a real WebGPU device (Dawn): differential against the TS target and the
// interpreter, the seed MLP training step, golden WGSL, binding limits and error reporting.
// All in one file so the tests share one process and one device.
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import { compile } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import type { Executable } from '../../src/runtime/executable.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { importTs } from '../support/import-ts.ts';
import { emitWgsl } from '../../src/pipeline.ts';
import { DEFAULT_LIMITS } from '../../codegen/wgsl/layout.ts';
import { compileWgsl, StaleParamsError } from '../../codegen/wgsl/load.ts';
import { seedMlpStep } from '../codegen/models.ts';
import {
  bigReduceGraph,
  exprGraph,
  globalNormGraph,
  kindsGraph,
  laneTileGraph,
  manyBuffersGraph,
  manyInputsGraph,
} from './graphs.ts';
import type { Feeds } from './graphs.ts';

const adapter = await hasAdapter();
if (!adapter) {
  console.warn(
    '\n\n*** WGSL tests SKIPPED: no WebGPU adapter. Run scripts/setup-webgpu.sh as root, or use a ' +
      'machine with a GPU. These tests did NOT pass. ***\n\n',
  );
}
const suite = adapter ? describe : describe.skip;

/** Largest |a − b| / (1 + |b|) over all outputs, with where it happened. */
function worst(a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>) {
  let err = 0;
  let where = '';
  for (const [name, want] of Object.entries(b)) {
    const got = a[name];
    if (!got || got.length !== want.length) return { err: Infinity, where: `${name} (missing)` };
    for (let i = 0; i < want.length; i++) {
      const e = Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!));
      if (!(e <= err)) [err, where] = [Number.isNaN(e) ? Infinity : e, `${name}[${i}]`];
    }
  }
  return { err, where };
}

async function differential(g: Graph, feeds: Feeds, tol = 2e-4, matmul?: 'workgroup' | 'lane') {
  const wg = await compileWgsl(g, 0, { matmul });
  const ts = await compile(g, { target: 'ts' });
  const ref = await compile(g, { target: 'interp' });
  try {
    const [a, b, c] = [await wg.run(feeds), await ts.run(feeds), await ref.run(feeds)];
    const vsTs = worst(a, b);
    const vsRef = worst(a, c);
    expect(vsTs.err, `WGSL vs TS at ${vsTs.where}`).toBeLessThan(tol);
    expect(vsRef.err, `WGSL vs interpreter at ${vsRef.where}`).toBeLessThan(tol * 5);
  } finally {
    wg.dispose();
  }
}

suite('WGSL target', () => {
  it('every kernel kind matches TS and the interpreter', async () => {
    const { g, feeds } = kindsGraph();
    await differential(g, feeds, 2e-4, 'lane');
    await differential(g, feeds, 2e-4, 'workgroup');
  });

  it('lane matmuls on exactly filled tiles (B as vec4, B transposed) match', async () => {
    const { g, feeds } = laneTileGraph();
    const { wgsl } = await emitWgsl(g, { matmul: 'lane', format: false });
    expect(wgsl).toMatch(/var<storage, read_write> b_v4: array<vec4<f32>>/);
    await differential(g, feeds, 2e-4, 'lane');
  });

  it('every expression form (incl. random bits, i32 and bool) matches', async () => {
    const { g, feeds } = exprGraph();
    await differential(g, feeds, 5e-4);
  });

  it('long reductions (workgroup tree, two passes) match', async () => {
    const { g, feeds } = bigReduceGraph();
    const { plan } = await emitWgsl(g);
    expect(plan.dispatches.some((d) => d.entry.endsWith('_finish'))).toBe(true);
    await differential(g, feeds, 1e-4);
  });

  it('seeded random graphs with their gradients match', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const f = fuzzGraph({ seed, nodes: 14 });
      const params = [...f.graph.params.values()].map((p) => p.node);
      grad(f.lossNode, params).forEach((d, i) => f.graph.output(`d_${i}`, d));
      await differential(f.graph, f.inputs, 1e-3);
    }
  });

  it('a sum of 20 inputs binds arenas instead of exceeding the storage-buffer limit', async () => {
    const device = await getDevice();
    const n = device.limits.maxStorageBuffersPerShaderStage + 4;
    const { g, feeds } = manyInputsGraph(n);
    await differential(g, feeds);
    const portable = manyInputsGraph(12);
    const { wgsl, plan } = await emitWgsl(portable.g, { limits: DEFAULT_LIMITS });
    expect(wgsl).toMatch(/var<storage, read_write> arena_f32_0: array<f32>/);
    for (const d of plan.dispatches) expect(d.bindings.length).toBeLessThanOrEqual(8);
    await differential(portable.g, portable.feeds);
  });

  it('a global norm of 150 tensors (past the WGSL parser depth) is split by lets and matches', async () => {
    const { g, feeds } = globalNormGraph(150);
    const { wgsl } = await emitWgsl(g, { format: false });
    expect(wgsl).toMatch(/let t\d+ = /);
    await differential(g, feeds);
  });

  it('over 1000 buffers: each shader numbers its own bindings from 0, and they match', async () => {
    const { g, feeds } = manyBuffersGraph(100);
    // 16 storage buffers per stage (as lavapipe has): each kernel alone fits, together they don't.
    const limits = { ...DEFAULT_LIMITS, maxStorageBuffersPerShaderStage: 16 };
    const { wgsl, plan, program } = await emitWgsl(g, { limits, format: false });
    expect(program.buffers.length).toBeGreaterThan(DEFAULT_LIMITS.maxBindingsPerBindGroup);
    expect(wgsl).not.toMatch(/binds whole arenas/);
    for (const d of plan.dispatches) {
      expect(d.bindings.map((b) => b.binding)).toEqual(d.bindings.map((_, i) => i));
      expect(d.bindings.length).toBeLessThanOrEqual(16);
      expect(plan.shaders[d.shader]!.bindings.length).toBe(d.bindings.length);
    }
    // The 100 links differ only in the buffers they touch: far fewer shaders than dispatches.
    expect(plan.shaders.length).toBeLessThan(plan.dispatches.length / 10);
    await differential(g, feeds);
  });

  it('seed MLP: a few training steps give the same params as TS; run() sees them', async () => {
    const { g } = seedMlpStep();
    const x = Float32Array.from({ length: 7840 }, (_, i) => (Math.sin(i * 1.3) + 1) / 2);
    const y = Float32Array.from({ length: 100 }, (_, i) => (i % 11 === 0 ? 1 : 0));
    const wg = await compile(g, { target: 'wgsl' });
    const ts = await compile(g, { target: 'ts' });
    for (let s = 0; s < 4; s++) {
      const [a, b] = [await wg.step({ x, y }), await ts.step({ x, y })];
      expect(Math.abs(a.loss![0]! - b.loss![0]!)).toBeLessThan(1e-5);
    }
    expect(() => wg.params).toThrow(StaleParamsError);
    await wg.syncParams!();
    expect(worst(wg.params, ts.params).err).toBeLessThan(1e-5);
    const [ra, rb] = [await wg.run({ x, y }), await ts.run({ x, y })];
    expect(worst(ra, rb).err).toBeLessThan(1e-5);
    wg.setParams({ b2: new Float32Array(10) });
    ts.setParams({ b2: new Float32Array(10) });
    expect(worst(await wg.run({ x, y }), await ts.run({ x, y })).err).toBeLessThan(1e-5);
    wg.dispose();
  });

  it('golden WGSL and host for the seed MLP step; the .wgsl file is one valid module', async () => {
    const { files } = await emitWgsl(seedMlpStep().g);
    await expect(files[0]!.text).toMatchFileSnapshot('../golden/seed-mlp-step.wgsl');
    await expect(files[1]!.text).toMatchFileSnapshot('../golden/seed-mlp-step.host.ts');
    // As a user would check it: the whole file through the device's WGSL compiler, every kernel
    // an entry point of it (the host builds its per-kernel modules from the same text).
    for (const { wgsl, plan } of [
      await emitWgsl(seedMlpStep().g),
      await emitWgsl(kindsGraph().g, { checkNumerics: true }),
      await emitWgsl(manyInputsGraph(12).g, { limits: DEFAULT_LIMITS }), // whole arenas bound
    ]) {
      const info = await (
        await getDevice()
      )
        .createShaderModule({ code: wgsl })
        .getCompilationInfo();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => m.message)).toEqual([]);
      for (const d of plan.dispatches) expect(wgsl).toContain(`fn ${d.entry}(`);
    }
  });

  it('a WGSL compile error names the kernel and quotes the line', async () => {
    const { host, wgsl } = await emitWgsl(seedMlpStep().g);
    const broken = host.replace('(1f / (1f + exp(', '(1f / (1f + nosuchfn(');
    const mod = await importTs<{
      createModel(d: GPUDevice, p: Record<string, Float32Array>): Promise<unknown>;
    }>(broken);
    const exe: Executable = await compile(seedMlpStep().g, { target: 'interp' });
    const err: unknown = await mod.createModel(await getDevice(), exe.params).catch((e) => e);
    const message = (err as Error).message;
    expect(message).toMatch(
      /kernel a1_matmul_bias_sigmoid at line \d+:\d+ of .*seed_mlp_step.wgsl.*: .*\n.*nosuchfn/,
    );
    // The line number is the line of the .wgsl file holding the broken call.
    const line = Number(/at line (\d+):/.exec(message)![1]);
    expect(wgsl.split('\n')[line - 1]).toContain('(1f / (1f + exp(');
  });
});
