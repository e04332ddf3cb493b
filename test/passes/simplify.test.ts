// Algebraic simplification: every rule fires where it should (text in → text out, values kept)
// and stays quiet where the rewrite would be unsafe.
import { afterAll, describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import type { Shape } from '../../src/ir/shape.ts';
import { verify } from '../../src/ir/verify.ts';
import { rewriteGraph } from '../../src/passes/rewrite.ts';
import type { Rule } from '../../src/passes/rewrite.ts';
import { RULES, simplify } from '../../src/passes/simplify.ts';
import { expectSameValues, text } from './helpers.ts';

const firedEver = new Set<string>();

/** Simplify `build(x)` for an input x; check verify and values; return the text and rules fired. */
function run(shape: Shape, build: (x: Node, g: Graph) => Node) {
  const g = new Graph('s');
  g.output('y', build(g.input('x', shape), g));
  verify(g);
  const fired = new Set<string>();
  const spied: Rule[] = RULES.map((r) => ({
    name: r.name,
    apply: (n) => {
      const out = r.apply(n);
      if (out && out !== n) fired.add(r.name);
      return out;
    },
  }));
  const res = rewriteGraph(g, spied);
  verify(res.graph);
  expectSameValues(g, res.graph);
  expect(simplify(g).changed).toBe(fired.size > 0);
  fired.forEach((r) => firedEver.add(r));
  return { out: text(res.graph), fired: [...fired], same: text(res.graph) === text(g) };
}

describe('simplify rules fire', () => {
  it('x·k + x·k → x·2k and (x·a)·b → x·ab: the fan-in of d·d becomes one scale', () => {
    const r = run([3], (x) => {
      const t = B.mul(B.exp(x), 0.05);
      return B.add(t, t);
    });
    expect(r.fired).toEqual(['x·k + x·k → x·2k']);
    expect(r.out).toContain('constant[value=0.1 ');
    const m = run([3], (x) => B.mul(B.mul(B.exp(x), 3), 0.5));
    expect(m.fired).toEqual(['(x·a)·b → x·(ab)']);
    expect(m.out).toContain('constant[value=1.5 ');
  });

  it('sum(sum(x)·k) and sum∘sum merge into one reduction over the union of axes', () => {
    const r = run([2, 3, 4], (x) => B.sum(B.mul(B.sum(x, 1), 0.5), 0));
    expect(r.fired).toEqual(['sum(sum(x)·k) → sum(x)·k']);
    expect(r.out).toContain('sum[axes=[0,1]] x');
    expect(r.out.match(/= sum/g)).toHaveLength(1);
    // Axes of the outer sum are renumbered onto x: sum(sum(x, [0]), [1]) is over x's axes 0 and 2.
    const ss = run([2, 3, 4], (x) => B.sum(B.sum(x, 0), 1));
    expect(ss.fired).toEqual(['sum∘sum → sum']);
    expect(ss.out).toContain('sum[axes=[0,2]] x');
  });

  it('x·1 → x and 1·x → x', () => {
    expect(run([3], (x) => B.mul(x, 1)).fired).toEqual(['x·1 → x']);
    const r = run([3], (x) => B.mul(1, B.exp(x)));
    expect(r.fired).toEqual(['1·x → x']);
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[3]
        %0: f32[3] = exp x
        output y = %0
      }
      "
    `);
  });

  it('x+0, 0+x, x−0 → x; 0−x → −x; x/1 → x', () => {
    expect(run([3], (x) => B.add(x, 0)).fired).toEqual(['x+0 → x']);
    expect(run([3], (x) => B.add(0, x)).fired).toEqual(['0+x → x']);
    expect(run([3], (x) => B.sub(x, 0)).fired).toEqual(['x−0 → x']);
    expect(run([3], (x) => B.div(x, 1)).fired).toEqual(['x/1 → x']);
    const r = run([3], (x) => B.sub(0, x));
    expect(r.fired).toEqual(['0−x → −x']);
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[3]
        %0: f32[3] = neg x
        output y = %0
      }
      "
    `);
  });

  it('x·0 → 0 for inputs and params (through views)', () => {
    expect(run([3], (x) => B.mul(x, 0)).out).toMatchInlineSnapshot(`
      "graph s {
        %0: f32[3] = constant[value=0 shape=[3] dtype=f32]
        output y = %0
      }
      "
    `);
    const r = run([2, 3], (x, g) => {
      const w = g.param('w', [3], init.normal(1));
      return B.add(x, B.mul(0, w)); // w is broadcast to [2,3] first
    });
    expect(r.fired).toContain('x·0 → 0');
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3]
        output y = x
      }
      "
    `);
  });

  it('−(−x) → x, repeatedly, and rules chain on one node', () => {
    const r = run([3], (x) => B.neg(B.neg(B.neg(B.neg(B.mul(x, 1))))));
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[3]
        output y = x
      }
      "
    `);
  });

  it('log(exp x) → x', () => {
    expect(run([3], (x) => B.log(B.exp(x))).fired).toEqual(['log(exp x) → x']);
  });

  it('where(c, x, x) → x and cast to the same dtype → x', () => {
    expect(run([3], (x) => B.where(B.gt(x, 0), x, x)).fired).toEqual(['where(c, x, x) → x']);
    const r = run([3], (x, g) => B.exp(g.apply('cast', [x], { dtype: 'f32' })));
    expect(r.fired).toEqual(['cast(x: t, t) → x']);
  });

  it('a broadcast (or reshape, permute) of a constant → a constant of the full shape', () => {
    const r = run([2, 3], (x, g) => B.add(x, B.constant(g, 2.5, [])));
    expect(r.fired).toEqual(['view(constant) → constant']);
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3]
        %0: f32[2,3] = constant[value=2.5 shape=[2,3] dtype=f32]
        %1: f32[2,3] = add x %0
        output y = %1
      }
      "
    `);
  });

  it('reshape to the same shape → x; reshape∘reshape → one reshape (or x)', () => {
    const same = run([2, 3], (x, g) => B.exp(g.apply('reshape', [x], { shape: [2, 3] })));
    expect(same.fired).toEqual(['view to its own shape → x']);
    const two = run([2, 3], (x) => B.reshape(B.reshape(x, [6]), [3, 2]));
    expect(two.fired).toEqual(['reshape∘reshape → reshape']);
    expect(two.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3]
        %0: f32[3,2] = reshape[shape=[3,2]] x
        output y = %0
      }
      "
    `);
    const back = run([2, 3], (x) => B.exp(B.reshape(B.reshape(x, [6]), [2, 3])));
    expect(back.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3]
        %0: f32[2,3] = exp x
        output y = %0
      }
      "
    `);
  });

  it('permute∘permute → one permute, or x when it is the identity', () => {
    const id = run([2, 3, 4], (x) => B.exp(B.permute(B.permute(x, [1, 2, 0]), [2, 0, 1])));
    expect(id.fired).toEqual(['permute∘permute → permute']);
    expect(id.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3,4]
        %0: f32[2,3,4] = exp x
        output y = %0
      }
      "
    `);
    const one = run([2, 3, 4], (x) => B.permute(B.permute(x, [1, 0, 2]), [0, 2, 1]));
    expect(one.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,3,4]
        %0: f32[3,4,2] = permute[perm=[1,2,0]] x
        output y = %0
      }
      "
    `);
  });

  it('broadcast∘broadcast → one broadcast', () => {
    const r = run([3], (x) => B.broadcastTo(B.broadcastTo(x, [2, 3]), [4, 2, 3]));
    expect(r.fired).toEqual(['broadcast∘broadcast → broadcast']);
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[3]
        %0: f32[4,2,3] = broadcast[shape=[4,2,3]] x
        output y = %0
      }
      "
    `);
  });

  it('sum over the axes a broadcast added → x·count', () => {
    const r = run([3], (x) => B.sum(B.broadcastTo(x, [4, 3]), 0));
    expect(r.fired).toEqual(['sum(broadcast x) → x·count']);
    expect(r.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[3]
        %0: f32[3] = constant[value=4 shape=[3] dtype=f32]
        %1: f32[3] = mul x %0
        output y = %1
      }
      "
    `);
    const kept = run([2, 1], (x) => B.sum(B.broadcastTo(x, [2, 5]), 1));
    expect(kept.out).toMatchInlineSnapshot(`
      "graph s {
        input x: f32[2,1]
        %0: f32[2] = constant[value=5 shape=[2] dtype=f32]
        %1: f32[2] = reshape[shape=[2]] x
        %2: f32[2] = mul %1 %0
        output y = %2
      }
      "
    `);
  });
});

describe('simplify leaves unsafe or inapplicable patterns alone', () => {
  it('exp(log x) stays: it is NaN for x < 0', () => {
    expect(run([3], (x) => B.exp(B.log(x))).same).toBe(true);
  });

  it('x·0 stays when x is computed (it may be ±∞ or NaN)', () => {
    expect(run([3], (x) => B.mul(B.exp(x), 0)).same).toBe(true);
    expect(run([3], (x) => B.mul(0, B.div(x, x))).same).toBe(true);
  });

  it('sum over axes other than the broadcast ones stays', () => {
    expect(run([3], (x) => B.sum(B.broadcastTo(x, [4, 3]), 1)).same).toBe(true);
    expect(run([3], (x) => B.sum(B.broadcastTo(x, [4, 3]), [0, 1])).same).toBe(true);
  });

  it('x·2, x+1 and a non-identity permute stay', () => {
    expect(run([3], (x) => B.add(B.mul(x, 2), 1)).same).toBe(true);
    expect(run([2, 3], (x) => B.permute(x, [1, 0])).same).toBe(true);
  });
});

afterAll(() => {
  // Every rule in the table has a test above that makes it fire.
  expect(RULES.map((r) => r.name).filter((n) => !firedEver.has(n))).toEqual([]);
});
