// Common-subexpression elimination is interning: equal (op, inputs, attrs) is one node, both when
// a user builds it twice and when a pass makes two nodes equal. No separate pass is needed.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { simplify } from '../../src/passes/simplify.ts';
import { checkPass, reachable, text } from './helpers.ts';

describe('cse by interning', () => {
  it('builds an expression written twice as one node', () => {
    const g = new Graph('cse');
    const x = g.input('x', [4]);
    const a = B.exp(B.mul(x, 2));
    const b = B.exp(B.mul(x, 2));
    expect(a).toBe(b);
    g.output('y', B.add(a, b));
    expect(text(g)).toMatchInlineSnapshot(`
      "graph cse {
        input x: f32[4]
        %0: f32[4] = constant[value=2 shape=[4] dtype=f32]
        %1: f32[4] = mul x %0
        %2: f32[4] = exp %1
        %3: f32[4] = add %2 %2
        output y = %3
      }
      "
    `);
  });

  it('merges nodes that a rewrite makes equal', () => {
    const g = new Graph('cse');
    const x = g.input('x', [4]);
    // exp(x·1) and exp(x) differ until x·1 → x; then they are the same node.
    g.output('y', B.add(B.exp(B.mul(x, 1)), B.exp(x)));
    expect(reachable(g)).toBe(6);
    const res = checkPass(g, simplify);
    expect(reachable(res.graph)).toBe(3);
    expect(text(res.graph)).toMatchInlineSnapshot(`
      "graph cse {
        input x: f32[4]
        %0: f32[4] = exp x
        %1: f32[4] = add %0 %0
        output y = %1
      }
      "
    `);
  });
});
