// One rule for evaluating a training graph (src/pipeline.ts runEntry): a generated module's run
// (TS and WGSL) runs no backward or update kernel and returns the forward outputs only — the
// gradient outputs (grad_norm, grad_norm.<param>) are step's — equal to the interpreter's. The
// WGSL host's run dispatches on the step's own arenas.
import { describe, expect, test } from 'vitest';
import { importJs } from '../../codegen/ts/js.ts';
import { forwardOnly } from '../../src/autodiff/forward-only.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { emitTs, emitWgsl } from '../../src/pipeline.ts';
import { createParams } from '../../src/runtime/params.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import type { Program, Step } from '../../src/schedule/kernel.ts';
import { writesOf } from '../../src/schedule/walk.ts';
import { importTs } from '../support/import-ts.ts';
import { tinyLm as lm, tokenIds as ids } from '../support/tiny-lm.ts';

type Arrays = Record<string, Float32Array | Int32Array>;

const kernelsIn = (steps: readonly Step[]) =>
  steps.flatMap((s) => (s.kind === 'kernel' ? [s.kernel] : []));

/** Backward kernels cite a chain-rule step (∂…); update kernels write a param. */
function backwardOrUpdate(p: Program, steps: readonly Step[]): string[] {
  const params = new Set(p.buffers.filter((b) => b.role === 'param').map((b) => b.name));
  return kernelsIn(steps)
    .filter(
      (k) =>
        k.notes.some((n) => n.includes('∂')) ||
        [...writesOf(k)].some((b) => params.has(b)) ||
        /grad_norm|_next/.test(k.name),
    )
    .map((k) => k.name);
}

/** The interpreter's forward outputs on the graph's initial params (seed 0). */
function reference(g: Graph, feeds: Arrays) {
  const fwd = forwardOnly(g);
  // The graph keeps every input (lr too); its forward outputs do not read lr.
  return interpret(fwd, { ...feeds, lr: new Float32Array([0]) }, createParams(g, 0)).outputs;
}

const adapter = await hasAdapter();

describe("a training module's run", () => {
  test('TS: the kernel list has no backward or update kernel; outputs match the interpreter', async () => {
    const g = lm();
    const res = await emitTs(g, { format: false, lang: 'js', wasm: 'off' });
    const run = res.run!;
    expect(run.outputs).toEqual(['loss', 'pred']);
    expect(backwardOrUpdate(res.program, res.program.steps).length).toBeGreaterThan(0);
    expect(backwardOrUpdate(res.program, run.steps)).toEqual([]);
    expect(kernelsIn(run.steps).length).toBeLessThan(kernelsIn(res.program.steps).length / 2);
    // The module's run function is those steps: one statement each, then the return.
    const from = res.source.indexOf('export function run(');
    const body = res.source.slice(from, res.source.indexOf('\n}\n', from)).split('\n').slice(1);
    expect(body.findIndex((l) => l.trim().startsWith('return'))).toBe(run.steps.length);
    const mod = await importJs<{
      create(p?: Arrays): { run(i: Arrays): Arrays; step(i: Arrays): Arrays };
      initParams(seed?: number): Arrays;
    }>(res.source);
    const feeds = { x: ids(1), y: ids(2) };
    const out = mod.create(mod.initParams(0)).run(feeds);
    expect(Object.keys(out).sort()).toEqual(['loss', 'pred']);
    const want = reference(g, feeds);
    for (const name of ['loss', 'pred']) {
      const got = Array.from(out[name]!);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[name]![i]!, 4));
    }
  });

  test('WGSL: run dispatches no backward or update kernel; outputs match the interpreter', async () => {
    const g = lm();
    const res = await emitWgsl(g, { format: false });
    const run = res.run!;
    expect(run.outputs).toEqual(['loss', 'pred']);
    expect(backwardOrUpdate(res.program, run.steps)).toEqual([]);
    // The host's forward pass dispatches the kernels of run and no others.
    const m = /const EVAL[^]*?dispatches: \[([\d, ]*)\]/.exec(res.host);
    const dispatched = m![1]!.split(', ').map((i) => res.plan.dispatches[Number(i)]!.kernel);
    expect(new Set(dispatched)).toEqual(new Set(kernelsIn(run.steps).map((k) => k.name)));
    expect(res.host).toContain(`export type RunOutputs = Pick<Outputs, "loss" | "pred">;`);
    if (!adapter) return; // running it needs a WebGPU adapter
    const host = await importTs<{
      initParams(seed?: number): Arrays;
      create(
        d: GPUDevice,
        p?: Arrays,
      ): Promise<{ run(i: Arrays): Promise<Arrays>; dispose(): void }>;
    }>(res.host);
    const device = await getDevice();
    const model = await host.create(device, host.initParams(0));
    const feeds = { x: ids(1), y: ids(2) };
    // run uses the step's arenas and params: it creates no buffer of its own.
    const createBuffer = device.createBuffer.bind(device);
    let buffers = 0;
    device.createBuffer = (d: GPUBufferDescriptor) => (buffers++, createBuffer(d));
    const out = await model.run(feeds).finally(() => (device.createBuffer = createBuffer));
    expect(buffers).toBe(0);
    expect(Object.keys(out).sort()).toEqual(['loss', 'pred']);
    model.dispose();
    const want = reference(g, feeds);
    for (const name of ['loss', 'pred']) {
      Array.from(out[name]!).forEach((v, i) => expect(v).toBeCloseTo(want[name]![i]!, 4));
    }
  });
});
