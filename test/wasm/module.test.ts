// The TS target with wasm kernels stays one self-contained, strictly typed module: the wasm bytes
// embedded, the readable TS of every kernel kept (and used when WebAssembly is unavailable), no
// allocation per step, params living in the wasm memory, and the size rule choosing the kernels.
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { importTs } from '../support/import-ts.ts';
import { MIN_WASM_WORK, runsInWasm } from '../../codegen/wasm/module.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { addSgdUpdates } from '../codegen/harness.ts';
import { reluAdamStep, seedMlpStep } from '../codegen/models.ts';
import { typecheckModules } from '../codegen/typecheck.ts';

type Arrays = Record<string, Float32Array | Int32Array>;
interface Generated {
  createWorkspace(): { params: Arrays; inputs: Arrays; wasm: Record<string, () => void> | null };
  step(inputs: Arrays, params: Arrays, ws: unknown): Arrays;
}

/** W2's shape at a smaller width: 784-64-64-10 is enough for the size rule to pick matmuls. */
const adam = () => reluAdamStep(32, [96, 64, 10]).g;

function feeds(): Arrays {
  return {
    x: Float32Array.from({ length: 32 * 96 }, (_, i) => Math.sin(i)),
    labels: Int32Array.from({ length: 32 }, (_, i) => i % 10),
    t: Float32Array.of(1),
  };
}

function initial(ws: { params: Arrays }): Arrays {
  return Object.fromEntries(
    Object.entries(ws.params).map(([k, v]) => [
      k,
      Float32Array.from(v, (_, i) =>
        k.endsWith('_m') || k.endsWith('_v') ? 0 : Math.cos(i * 7 + k.length) * 0.3,
      ),
    ]),
  );
}

describe('TS module with wasm kernels', () => {
  it('is self-contained and strictly typed, keeping every kernel as readable TS', async () => {
    const f = fuzzGraph({ seed: 3, nodes: 14 });
    addSgdUpdates(f);
    const mods = {
      adam: (await emitTs(adam(), { wasm: 'auto' })).source,
      all: (await emitTs(f.graph, { wasm: 'all' })).source,
    };
    expect(typecheckModules(mods)).toEqual([]);
    for (const src of Object.values(mods)) {
      expect(src).not.toMatch(/^import /m);
      expect(src).toMatch(/const wasmBytes =\s+'[A-Za-z0-9+/=]+';/);
      const wasmCalls = [...src.matchAll(/if \(wasm\) wasm\.(\w+)\(\);\s+else (\w+)\(/g)];
      expect(wasmCalls.length).toBeGreaterThan(0);
      // The TS kernel with the same name is defined in the module: the reference and fallback.
      for (const [, w, ts] of wasmCalls) {
        expect(w).toBe(ts);
        expect(src).toContain(`function ${ts}(`);
      }
    }
    // No allocation inside any function but the once-per-model setup (createWorkspace and the
    // generated API's initParams/create and helpers; checkSizes allocates only the error it throws).
    const setup = new Set([
      'createWorkspace',
      'initParams',
      'initNormal',
      'initUniform',
      'create',
      'sizesOf',
      'checkSizes',
    ]);
    const inFunctions: string[] = [];
    let fn: string | null = null;
    for (const line of mods.adam.split('\n')) {
      const open = /^(?:export )?function (\w+)/.exec(line);
      if (open) fn = open[1]!;
      else if (line === '}') fn = null;
      else if (fn && !setup.has(fn) && /\bnew /.test(line)) inFunctions.push(line);
    }
    expect(inFunctions).toEqual([]);
  });

  it('the size rule: all but the tiniest kernels (a few elements) run in wasm; off means no wasm at all', async () => {
    const auto = await emitTs(seedMlpStep().g, { wasm: 'auto', format: false });
    const off = await emitTs(seedMlpStep().g, { wasm: 'off', format: false });
    expect(off.source).not.toContain('wasm');
    const kernels = kernelsOf(auto.program);
    const picked = kernels.filter((k) => runsInWasm(k, 'auto'));
    // The 10×784×30 forward matmul and the 784×10×30 weight gradient (with the SGD update).
    const big = kernels.filter((k) => k.kind === 'matmul' && k.m * k.n * k.k > 200_000);
    expect(big).toHaveLength(2);
    for (const k of big) expect(picked).toContain(k);
    // The 10×10 output-layer maps (100 elements) run in wasm too.
    const small = kernels.filter(
      (k) => k.kind === 'map' && k.shape.reduce((a, d) => a * d, 1) <= 100,
    );
    expect(small.length).toBeGreaterThan(0);
    for (const k of small) expect(picked).toContain(k);
    for (const k of picked) expect(auto.source).toContain(`if (wasm) wasm.`);
    // Below MIN_WASM_WORK (a 3×5 map) a kernel stays TS.
    const g = new Graph('tiny');
    g.output('y', B.mul(B.tanh(g.input('x', [3, 5])), 2));
    const tiny = kernelsOf((await emitTs(g, { wasm: 'auto', format: false })).program);
    expect(tiny).toHaveLength(1);
    expect(3 * 5).toBeLessThan(MIN_WASM_WORK);
    expect(runsInWasm(tiny[0]!, 'auto')).toBe(false);
    expect(runsInWasm(tiny[0]!, 'all')).toBe(true);
  });

  it('trains in the wasm memory, with user arrays or the workspace arrays, and falls back to TS', async () => {
    const mod = (await importTs(
      (await emitTs(adam(), { format: false })).source,
    )) as unknown as Generated;
    const a = mod.createWorkspace();
    expect(a.wasm).not.toBeNull();
    // 1. The workspace's own params: updated in place, nothing copied.
    const start = initial(a);
    for (const [k, v] of Object.entries(start)) a.params[k]!.set(v);
    const lossA = [0, 1, 2].map(
      (t) => mod.step({ ...feeds(), t: Float32Array.of(t + 1) }, a.params, a)['loss']![0]!,
    );
    // 2. The caller's own arrays: copied in and the updates copied back out.
    const b = mod.createWorkspace();
    const mine = initial(b);
    const lossB = [0, 1, 2].map(
      (t) => mod.step({ ...feeds(), t: Float32Array.of(t + 1) }, mine, b)['loss']![0]!,
    );
    expect(lossB).toEqual(lossA);
    for (const k of Object.keys(mine)) expect(mine[k]).toEqual(a.params[k]);
    expect(lossA[2]).toBeLessThan(lossA[0]!);
    // 3. No wasm (compile refused, or no WebAssembly at all): TS kernels on the same views.
    const saved = globalThis.WebAssembly;
    const refusing = Object.assign(Object.create(saved) as object, {
      Module: function () {
        throw new Error('no SIMD here');
      },
    });
    for (const api of [refusing, undefined]) {
      Object.defineProperty(globalThis, 'WebAssembly', { value: api, configurable: true });
      let c: ReturnType<Generated['createWorkspace']>;
      try {
        c = mod.createWorkspace();
      } finally {
        Object.defineProperty(globalThis, 'WebAssembly', { value: saved, configurable: true });
      }
      expect(c.wasm).toBeNull();
      const theirs = initial(c);
      const lossC = [0, 1, 2].map(
        (t) => mod.step({ ...feeds(), t: Float32Array.of(t + 1) }, theirs, c)['loss']![0]!,
      );
      lossC.forEach((l, i) => expect(l).toBeCloseTo(lossA[i]!, 4));
    }
  });
});
