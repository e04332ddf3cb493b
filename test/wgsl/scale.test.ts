// The WGSL runtime at scale, on a real device: an 8-block Transformer-like training step and its
// eval graph in one process, a program of 2,000+ kernels, and 50 executables created and disposed.
// Device objects are shared (layouts by binding count, pipelines by code), so these stay cheap.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import type { ProgramStats } from '../../src/runtime/wgsl-host.ts';
import { importTs } from '../support/import-ts.ts';
import { emitWgsl } from '../../src/pipeline.ts';
import { compileWgsl, limitsOf } from '../../codegen/wgsl/load.ts';
import { longChainGraph, manyInputsGraph } from './graphs.ts';
import { transformer } from './transformer.ts';

type Arrays = Record<string, Float32Array | Int32Array>;
/** The part of a generated host this test uses. */
interface HostModule {
  createModel(
    device: GPUDevice,
    params: Arrays,
  ): Promise<{ run(i: Arrays): Promise<Arrays>; stats: ProgramStats; dispose(): void }>;
}

const adapter = await hasAdapter();
const suite = adapter ? describe : describe.skip;

/** Largest |a − b| / (1 + |b|). */
function relErr(a: Float32Array | Int32Array, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  return [...a].reduce(
    (m: number, v: number, i: number) => Math.max(m, Math.abs(v - b[i]!) / (1 + Math.abs(b[i]!))),
    0,
  );
}

suite('WGSL runtime at scale', () => {
  // Slow the first time on lavapipe (LLVM compiles ~100 shaders; Mesa caches them on disk).
  it(
    'an 8-block Transformer step (AdamW, clipping) and its eval run in one process',
    { timeout: 600_000 },
    async () => {
      const m = transformer({ blocks: 8, seq: 4, width: 8, heads: 2, classes: 5 });
      const wg = await compileWgsl(m.train);
      const ts = await compile(m.train, { target: 'ts' });
      for (let s = 0; s < 2; s++) {
        const [a, b] = [await wg.step(m.feeds), await ts.step(m.feeds)];
        expect(relErr(a.loss!, b.loss!)).toBeLessThan(1e-4);
        expect(relErr(a.grad_norm!, b.grad_norm!)).toBeLessThan(1e-3);
      }
      const { main } = wg.stats;
      console.log(`8-block step: ${JSON.stringify({ ...main, liveBuffers: main.liveBuffers })}`);
      expect(main.dispatches).toBeGreaterThan(800);
      // Blocks differ only in their buffers: far fewer pipelines than dispatches.
      expect(main.pipelines).toBeLessThan(main.dispatches / 4);
      expect(main.bindGroupLayouts).toBeLessThanOrEqual(16);
      expect(main.bindGroups).toBeLessThanOrEqual(main.dispatches);
      await wg.syncParams!();
      const evalWg = await compileWgsl(m.eval);
      const evalTs = await compile(m.eval, { target: 'ts' });
      const trained = Object.fromEntries(
        Object.keys(evalTs.params).map((k) => [k, wg.params[k]!] as const),
      );
      // The eval program's kernels are mostly the step's forward kernels: shared pipelines.
      const shared = evalWg.stats.main;
      expect(shared.created.pipelines).toBeLessThan(shared.pipelines);
      evalWg.setParams(trained);
      evalTs.setParams(trained);
      const x = { x: m.feeds.x! };
      expect(relErr((await evalWg.run(x)).pred!, (await evalTs.run(x)).pred!)).toBeLessThan(1e-4);
      console.log(`8-block eval: ${JSON.stringify(evalWg.stats.main)}`);
      evalWg.dispose();
      wg.dispose();
    },
  );

  it(
    'a synthetic program of 2,000+ kernels runs and matches TS',
    { timeout: 300_000 },
    async () => {
      const { g, feeds } = longChainGraph(2100);
      const wg = await compileWgsl(g);
      const ts = await compile(g, { target: 'ts' });
      expect(relErr((await wg.run(feeds)).h!, (await ts.run(feeds)).h!)).toBeLessThan(1e-4);
      const { main } = wg.stats;
      console.log(`2,100-link chain: ${JSON.stringify(main)}`);
      expect(main.dispatches).toBeGreaterThanOrEqual(2100);
      expect(main.pipelines).toBeLessThanOrEqual(16);
      expect(main.bindGroupLayouts).toBeLessThanOrEqual(4);
      wg.dispose();
    },
  );

  it('50 executables created, run and disposed: no failure, buffers released, flat memory', async () => {
    const { g, feeds } = manyInputsGraph(3);
    const want = (await (await compile(g, { target: 'ts' })).run(feeds)).y!;
    // One host module, 50 models: what grows is device objects, not imported module code.
    const device = await getDevice();
    const { host } = await emitWgsl(g, { limits: limitsOf(device), format: false });
    const mod = (await importTs(host)) as unknown as HostModule;
    const rss: number[] = [];
    for (let i = 0; i < 50; i++) {
      const model = await mod.createModel(device, {});
      expect(relErr((await model.run(feeds)).y as Float32Array, want)).toBeLessThan(1e-5);
      expect(model.stats.liveBuffers).toBe(model.stats.buffers);
      model.dispose();
      expect(model.stats.liveBuffers).toBe(0);
      await expect(model.run(feeds)).rejects.toThrow(/disposed/);
      rss.push(process.memoryUsage().rss / 2 ** 20);
    }
    const growth = rss[49]! - rss[9]!;
    console.log(`RSS after 10 / 50 models: ${rss[9]!.toFixed(0)} / ${rss[49]!.toFixed(0)} MiB`);
    expect(growth).toBeLessThan(32);
  });
});
