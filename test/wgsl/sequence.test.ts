// The WGSL runtime over many programs in one process (#12), and the numerics guard on the device
// in every kernel kind (#13). The issue saw small random graphs compiled and run one after another
// crash at the seventh unless a GC ran: here 20 run in sequence with no manual GC, each compared
// with the interpreter; half stay alive and run again at the end (their objects must survive the
// others' creation and disposal), half are disposed at once.
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../codegen/wgsl/load.ts';
import type { WgslExecutable } from '../../codegen/wgsl/load.ts';
import { compile } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import type { Outputs } from '../../src/runtime/executable.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { bigReduceGraph, kindsGraph } from './graphs.ts';
import type { Feeds } from './graphs.ts';

const adapter = await hasAdapter();
if (!adapter) console.warn('\n*** wgsl/sequence: SKIPPED (no WebGPU adapter) ***\n');
const suite = adapter ? describe : describe.skip;

/** Largest |a − b| / (1 + |b|) over every output of `want`. */
function relErr(got: Outputs, want: Outputs): number {
  let err = 0;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name]!;
    expect(g.length, name).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      const e = Math.abs(g[i]! - w[i]!) / (1 + Math.abs(w[i]!));
      err = Number.isNaN(e) ? Infinity : Math.max(err, e);
    }
  }
  return err;
}

async function reference(g: Graph, feeds: Feeds): Promise<Outputs> {
  return (await compile(g, { target: 'interp' })).run(feeds);
}

suite('WGSL programs in sequence', () => {
  // Slow only under load: lavapipe compiles each new pipeline with LLVM on the CPU.
  it(
    '20 random graphs compiled and run one after another (no manual GC) match the interpreter',
    { timeout: 300_000 },
    async () => {
      const alive: { exe: WgslExecutable; feeds: Feeds; want: Outputs }[] = [];
      for (let seed = 100; seed < 120; seed++) {
        const f = fuzzGraph({ seed, nodes: 6 });
        const want = await reference(f.graph, f.inputs);
        // Every fourth carries the numerics guard: random kernels with checks validate and leave
        // finite results unchanged.
        const exe = await compileWgsl(f.graph, 0, { checkNumerics: seed % 4 === 1 });
        expect(relErr(await exe.run(f.inputs), want), `seed ${seed}`).toBeLessThan(5e-3);
        if (seed % 4 < 2) alive.push({ exe, feeds: f.inputs, want });
        else exe.dispose();
      }
      for (const { exe, feeds, want } of alive) {
        expect(relErr(await exe.run(feeds), want)).toBeLessThan(5e-3);
        exe.dispose();
      }
    },
  );

  it('a second identical executable creates no pipeline, layout or shader module', async () => {
    const { g, feeds } = bigReduceGraph();
    const [a, b] = [await compileWgsl(g), await compileWgsl(g)];
    expect(a.stats.main.created.pipelines).toBe(a.stats.main.pipelines);
    expect(b.stats.main.created).toEqual({ shaderModules: 0, pipelines: 0, bindGroupLayouts: 0 });
    expect(b.stats.main.pipelines).toBe(a.stats.main.pipelines);
    a.dispose();
    expect(relErr(await b.run(feeds), await reference(g, feeds))).toBeLessThan(1e-4);
    b.dispose();
  });
});

suite('numerics guard on the device, every kernel kind', () => {
  const cases = [
    // Both matmul strategies share the epilogue (stores and checks): lane tiles stand for both.
    ['matmul, gather, scatter, small reductions', kindsGraph, 'lane'],
    ['tree and two-pass reductions', bigReduceGraph, undefined],
  ] as const;
  for (const [what, make, matmul] of cases) {
    it(`${what}: finite values pass unchanged; a planted NaN names input x`, async () => {
      const { g, feeds } = make();
      const guarded = await compileWgsl(g, 0, { matmul, checkNumerics: true });
      expect(relErr(await guarded.run(feeds), await reference(g, feeds))).toBeLessThan(1e-3);
      const x = Float32Array.from(feeds.x!);
      x[7] = NaN;
      const bad = { ...feeds, x };
      await expect(guarded.run(bad)).rejects.toThrow(
        /^non-finite value NaN in \w+\[\d+\] after kernel \w+ \(ops: /,
      );
      guarded.dispose();
      if (matmul) return;
      // compile() adds the op by a float32 replay: the NaN was in the data.
      const exe = await compile(g, { target: 'wgsl', checkNumerics: true });
      await expect(exe.run(bad)).rejects.toThrow(/: input 'x' holds NaN at \[7\]/);
      exe.dispose();
    });
  }
});
