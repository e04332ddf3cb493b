// Constant folding: literal-only subgraphs become a constant or a small tensor; large, non-finite
// and random results stay.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { fold } from '../../src/passes/fold.ts';
import { checkPass, reachable, text } from './helpers.ts';

describe('fold', () => {
  it('folds arithmetic on constants into one constant', () => {
    const g = new Graph('fold');
    const x = g.input('x', [2, 3]);
    const two = B.constant(g, 2, [3]);
    const c = B.sqrt(B.add(B.mul(two, two), 5)); // √(2·2 + 5) = 3
    g.output('y', B.mul(x, c));
    const res = checkPass(g, fold);
    expect(res.changed).toBe(true);
    expect(text(res.graph)).toMatchInlineSnapshot(`
      "graph fold {
        input x: f32[2,3]
        %0: f32[2,3] = constant[value=3 shape=[2,3] dtype=f32]
        %1: f32[2,3] = mul x %0
        output y = %1
      }
      "
    `);
  });

  it('folds small non-uniform results into a tensor literal', () => {
    const g = new Graph('fold');
    const x = g.input('x', [2, 2]);
    const t = B.tensor(g, [1, 2, 3, 4], [2, 2]);
    g.output('y', B.add(x, B.permute(B.mul(t, 10), [1, 0])));
    expect(text(checkPass(g, fold).graph)).toMatchInlineSnapshot(`
      "graph fold {
        input x: f32[2,2]
        %0: f32[2,2] = tensor[values=[10,30,20,40] shape=[2,2]]
        %1: f32[2,2] = add x %0
        output y = %1
      }
      "
    `);
  });

  it('folds uniform results of any size, reductions and views included, without evaluating', () => {
    const g = new Graph('fold');
    const big = B.constant(g, 0.5, [300, 300]); // more than fold evaluates
    g.output('y', B.sum(B.broadcastTo(B.exp(big), [4, 300, 300]), [0, 2]));
    const res = checkPass(g, fold);
    expect(text(res.graph)).toMatchInlineSnapshot(`
      "graph fold {
        %0: f32[300] = constant[value=1978.4655248401539 shape=[300] dtype=f32]
        output y = %0
      }
      "
    `);
  });

  it('folds an iota-based index computation', () => {
    const g = new Graph('fold');
    const x = g.input('x', [6]);
    const i = B.cast(B.iota(g, [6], 0, 'i32'), 'f32');
    g.output('y', B.mul(x, B.add(i, 1)));
    expect(text(checkPass(g, fold).graph)).toMatchInlineSnapshot(`
      "graph fold {
        input x: f32[6]
        %0: f32[6] = tensor[values=[1,2,3,4,5,6] shape=[6]]
        %1: f32[6] = mul x %0
        output y = %1
      }
      "
    `);
  });

  it('leaves large non-uniform results to run time', () => {
    const g = new Graph('fold');
    const t = B.tensor(
      g,
      Array.from({ length: 40 }, (_, i) => i),
      [40],
    );
    g.output('y', B.broadcastTo(t, [2, 40])); // 80 distinct-ish values > 64
    const res = checkPass(g, fold);
    expect(res.changed).toBe(false);
    expect(text(res.graph)).toBe(text(g));
  });

  it('never folds random, even with a constant counter', () => {
    const g = new Graph('fold');
    const counter = B.constant(g, 3, [], 'i32');
    const r = B.random(g, [4], { seed: 7, counter });
    g.output('y', B.mul(r, 2));
    const res = checkPass(g, fold);
    expect(res.changed).toBe(false);
    expect(reachable(res.graph)).toBe(reachable(g));
  });

  it('leaves NaN and ±∞ results alone (interning keys cannot hold them)', () => {
    const g = new Graph('fold');
    const x = g.input('x', [2]);
    const zero = B.constant(g, 0, [2]);
    g.output('y', B.add(x, B.log(zero)));
    g.output('z', B.add(x, B.div(zero, zero)));
    const res = checkPass(g, fold);
    expect(res.changed).toBe(false);
  });

  it('does not fold bool or i32 results that are not uniform (tensor literals are f32)', () => {
    const g = new Graph('fold');
    const i = B.iota(g, [3], 0, 'i32');
    g.output('y', B.mul(i, 2));
    expect(fold(g).changed).toBe(false);
  });
});
