// Fusion plan decisions on small graphs: what gets a buffer and why (the reasons are part of the
// contract: `--explain-fusion` prints them), and which chains become epilogues.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { planFusion } from '../../src/schedule/fuse.ts';
import { toProgram } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { diffAgainstInterp } from '../codegen/harness.ts';

describe('planFusion', () => {
  it('fuses an elementwise chain with broadcasts into one kernel, with no notes', () => {
    const g = new Graph('chain');
    const x = g.input('x', [4, 3]);
    const b = g.input('b', [3]);
    const y = g.output('y', B.tanh(B.mul(B.add(B.exp(x), b), 2)));
    const plan = planFusion(g);
    expect(plan.heads).toEqual([y]);
    expect(plan.notes).toEqual([]);
  });

  it('inlines a cheap shared value but gives an expensive one a buffer, saying why', () => {
    const g = new Graph('shared');
    const x = g.input('x', [5]);
    const cheap = B.mul(x, 2);
    const dear = B.exp(B.sin(x)).named('dear');
    g.output('a', B.add(cheap, dear));
    g.output('b', B.sub(cheap, dear));
    const plan = planFusion(g);
    expect(plan.materialized.has(cheap)).toBe(false);
    expect(plan.materialized.has(dear)).toBe(true);
    expect(plan.notes).toContain('buffer for dear: used by 2 consumers, recompute cost 8');
  });

  it('puts bias add and activation into the matmul epilogue', () => {
    const g = new Graph('dense');
    const x = g.input('x', [4, 3]);
    const w = g.param('w', [3, 2], init.normal());
    const b = g.param('b', [2], init.zeros);
    const mm = B.matmul(x, w);
    const y = g.output('y', B.sigmoid(B.add(mm, b)));
    const plan = planFusion(g);
    expect(plan.heads).toEqual([y]);
    expect(plan.anchorOf.get(y)).toBe(mm);
    expect(
      plan.notes.some((n) => /^epilogue: matmul#\d+ → sigmoid#\d+ in one kernel$/.test(n)),
    ).toBe(true);
  });

  it('gives one epilogue to each node: f(sum(x), sum(y)) has two kernels', async () => {
    const g = new Graph('two sums');
    const x = g.input('x', [3, 4]);
    const y = g.input('y', [3, 5]);
    const sx = B.sum(x, 1);
    const sy = B.sum(y, 1);
    const out = g.output('out', B.mul(sx, sy));
    const plan = planFusion(g);
    expect(plan.anchorOf.get(out)).toBe(sx);
    expect(plan.materialized.has(sy)).toBe(true);
    expect(kernelsOf(toProgram(g, { optimize: false }))).toHaveLength(2);
    const feeds = () => ({
      x: Array.from({ length: 12 }, (_, i) => i / 7),
      y: new Array(15).fill(0.1),
    });
    expect(await diffAgainstInterp(g, feeds)).toBeNull();
  });

  it('computes a matmul operand that is not a strided view first', () => {
    const g = new Graph('padded');
    const x = g.input('x', [2, 3]);
    const w = g.input('w', [3, 4]);
    const px = B.pad(x, [[1, 1]]).named('px');
    g.output('y', B.matmul(px, w));
    expect(planFusion(g).notes).toContain('buffer for px: matmul operand is not a strided view');
  });

  it('reads transposed and broadcast matmul operands in place', () => {
    const g = new Graph('views');
    const x = g.input('x', [3, 2]);
    const w = g.input('w', [4, 3]);
    g.output('y', B.matmul(B.transpose(x), B.transpose(w)));
    const plan = planFusion(g);
    expect(plan.notes).toEqual([]);
    expect(plan.heads).toHaveLength(1);
  });

  it('materializes what scatter_add and broadcasts read, saying why', () => {
    const g = new Graph('index');
    const u = g.input('u', [4, 2]);
    const i = g.input('i', [4], 'i32');
    const e = B.exp(u).named('e');
    g.output('s', B.scatterAdd(e, i, 0, 3));
    const v = g.input('v', [3]);
    const sv = B.sin(v).named('sv');
    g.output('b', B.broadcastTo(sv, [2, 3]));
    const notes = planFusion(g).notes;
    expect(notes).toContain('buffer for e: scatter_add reads plain buffers');
    expect(notes).toContain('buffer for sv: broadcast would recompute it per copy');
  });
});
