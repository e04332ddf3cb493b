// Embedding gathers and their scatter-add gradients in wasm: token and position lookups
// (codegen/wasm/affine.ts reads a clamped i32 load as a row base, so the lookup's rows are
// contiguous f32x4 loads in maps, reductions and matmul epilogues), and the scatter kernel
// (codegen/wasm/scatter.ts), against the interpreter over SGD steps and bit for bit against the
// TS scatter. Row lengths 12 (vectors only) and 7 (a scalar tail); ids repeat, so rows collide.
import { describe, expect, it } from 'vitest';
import { affineIn } from '../../codegen/wasm/affine.ts';
import { rowRefusal } from '../../codegen/wasm/rows.ts';
import { runsInWasm } from '../../codegen/wasm/module.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { mean } from '../../src/builder/composite.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { emitTs } from '../../src/pipeline.ts';
import * as E from '../../src/schedule/expr.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';

const [T, V] = [6, 11];

/** tanh(wte[tok] + wpe[pos]) → its row sums and a dense layer with a bias; mean-square loss. */
function embed(d: number): Graph {
  const g = new Graph('embed');
  const tok = g.input('tok', [2, T], 'i32');
  const y = g.input('y', [2, T, 5]);
  const wte = g.param('wte', [V, d], init.normal(0.5));
  const wpe = g.param('wpe', [T, d], init.normal(0.5));
  const w = g.param('w', [d, 5], init.normal(0.5));
  const b = g.param('b', [5], init.normal(0.1));
  const h = B.tanh(B.add(B.gather(wte, tok), B.gather(wpe, B.iota(g, [T]))));
  const z = B.add(B.matmul(h, w), b);
  const d2 = B.sub(z, y);
  const loss = B.add(mean(B.mul(d2, d2)), mean(B.sum(h, -1)));
  g.output('loss', loss);
  const ps = [wte, wpe, w, b];
  const gs = grad(loss, ps);
  ps.forEach((p, i) => g.update(p.label!, B.sub(p, B.mul(gs[i]!, 0.1))));
  return g;
}

const feeds = (k: number) => ({
  tok: Int32Array.from({ length: 2 * T }, (_, i) => (i * 7 + k * 3) % 5), // ids repeat
  y: Float32Array.from({ length: 2 * T * 5 }, (_, i) => Math.sin(i + k)),
});

describe('embedding gathers and scatter-adds in wasm', () => {
  it('a clamped i32 load is an affine row base', () => {
    const pos = E.bin('min', E.bin('max', E.load('tok', E.ivar('i0'), 'i32'), E.int(0)), E.int(10));
    const at = E.iadd(E.imul(pos, E.int(12)), E.ivar('i1'));
    expect(affineIn(at, 'i1', 12, () => 12)?.stride).toBe(1);
    expect(affineIn(at, 'i0', 12, () => 12)).toBeNull(); // the row itself depends on i0
  });

  for (const d of [12, 7]) {
    it(`d ${d}: the lookups run as row vectors and the scatters in wasm`, async () => {
      const { program } = await emitTs(embed(d), { format: false });
      const buffer = (x: string) => program.buffers.find((b) => b.name === x)!;
      const ks = kernelsOf(program);
      const lookups = ks.filter(
        (k): k is MapKernel => k.kind === 'map' && k.name.includes('gather'),
      );
      expect(lookups.map((k) => k.name)).not.toEqual([]);
      expect(lookups.map((k) => rowRefusal(k, buffer))).toEqual(lookups.map(() => null));
      const scatters = ks.filter((k) => k.kind === 'scatter');
      expect(scatters.length).toBe(2);
      expect(scatters.every((k) => runsInWasm(k, 'all'))).toBe(true);
    });

    it(`d ${d}: three SGD steps match the interpreter, and the TS kernels`, async () => {
      const g = embed(d);
      expect(await diffAgainstInterp(g, feeds, 3, { wasm: 'all' })).toBeNull();
      const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
      w.setParams(s.params);
      for (let k = 0; k < 2; k++) {
        const [a, b] = await Promise.all([w.step(feeds(k)), s.step(feeds(k))]);
        expect(mismatch(a['loss']!, b['loss']!)).toBeNull();
      }
      for (const name of Object.keys(s.params))
        expect(mismatch(w.params[name]!, s.params[name]!), name).toBeNull();
    });
  }

  it('the scatter-add alone is bit for bit the TS kernel', async () => {
    const g = new Graph('scatter');
    const u = g.input('u', [3, 9, 6]);
    const ix = g.input('ix', [9], 'i32');
    g.output('s', B.scatterAdd(u, ix, 1, 4));
    const f = {
      u: Float32Array.from({ length: 3 * 9 * 6 }, (_, i) => Math.sin(i * 1.3) * 10 ** (i % 5)),
      ix: Int32Array.from([0, 3, 3, 1, 0, 2, 3, 3, 1]),
    };
    const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
    const [a, b] = await Promise.all([w.run(f), s.run(f)]);
    expect([...a['s']!]).toEqual([...b['s']!]);
    expect(await diffAgainstInterp(g, () => f, 1, { wasm: 'all' })).toBeNull();
  });
});
