// Dead-code elimination: only what outputs and updates reach survives; leaves always stay.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { dce } from '../../src/passes/dce.ts';
import { checkPass, text } from './helpers.ts';

describe('dce', () => {
  it('drops nodes no output or update reaches, keeps every input and param', () => {
    const g = new Graph('dead');
    const x = g.input('x', [3]);
    g.input('unused', [2]);
    const w = g.param('w', [3], init.zeros);
    B.exp(B.mul(x, w)); // dead: never an output
    g.output('y', B.neg(x));
    g.update('w', B.add(w, x));
    expect(g.nodes.length).toBe(7);
    const res = checkPass(g, dce);
    expect(res.changed).toBe(true);
    expect(res.graph.nodes.length).toBe(5);
    expect(text(res.graph)).toMatchInlineSnapshot(`
      "graph dead {
        input x: f32[3]
        param w: f32[3] ~ zeros
        %0: f32[3] = neg x
        w_next: f32[3] = add w x
        output y = %0
        update w ← w_next
      }
      "
    `);
  });

  it('reports no change on a graph without dead nodes', () => {
    const g = new Graph('live');
    const x = g.input('x', [3]);
    g.output('y', B.neg(x));
    const res = dce(g);
    expect(res.changed).toBe(false);
    expect(text(res.graph)).toBe(text(g));
  });
});
