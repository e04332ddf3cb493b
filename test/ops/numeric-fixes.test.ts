// Numeric fixes: matmul of vectors as in numpy/PyTorch, and pow's limit gradients at a zero base.
import { describe, expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { run } from './run.ts';

describe('matmul of vectors', () => {
  test('[k]·[k] is the dot product, a scalar', () => {
    const r = run((g) => B.matmul(g.input('a', [4]), g.input('b', [4])), {
      a: [1, 2, 3, 4],
      b: [5, 6, 7, 8],
    });
    expect(r.shape).toEqual([]);
    expect(r.values).toEqual([70]);
  });

  test('[k]·[k,n] and [m,k]·[k] drop the promoted axis', () => {
    const vm = run((g) => B.matmul(g.input('a', [2]), g.input('b', [2, 3])), {
      a: [1, 2],
      b: [1, 2, 3, 4, 5, 6],
    });
    expect(vm.shape).toEqual([3]);
    expect(vm.values).toEqual([9, 12, 15]);
    const mv = run((g) => B.matmul(g.input('a', [3, 2]), g.input('b', [2])), {
      a: [1, 2, 3, 4, 5, 6],
      b: [1, 2],
    });
    expect(mv.shape).toEqual([3]);
    expect(mv.values).toEqual([5, 11, 17]);
  });

  test('vectors of different lengths name the op and both shapes', () => {
    const g = new Graph();
    const err = (() => {
      try {
        B.matmul(g.input('a', [3]), g.input('b', [4]));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(GraphError);
    expect(String(err)).toMatch(/matmul.*\[3\].*\[4\]/);
  });

  test('the dot product and its gradients compile and run', async () => {
    const g = new Graph('dot');
    const a = g.input('a', [3]);
    const b = g.input('b', [3]);
    const d = B.matmul(a, b);
    g.output('d', d);
    const [da, db] = grad(d, [a, b]);
    g.output('da', da!);
    g.output('db', db!);
    const out = await (await compile(g, { target: 'ts' })).run({ a: [1, 2, 3], b: [4, 5, 6] });
    expect(Array.from(out['d']!)).toEqual([32]);
    expect(Array.from(out['da']!)).toEqual([4, 5, 6]);
    expect(Array.from(out['db']!)).toEqual([1, 2, 3]);
  });
});

describe('pow at a zero base', () => {
  // a^b at a = 0: ∂/∂a of a⁰ is 0, ∂/∂b of 0ᵇ is 0 for b ≥ 0 (the limits, as in PyTorch).
  function grads(a: number[], b: number[], order: 1 | 2) {
    const g = new Graph('pow0');
    const x = g.input('a', [a.length]);
    const y = g.input('b', [b.length]);
    let [da, db] = grad(B.sum(B.pow(x, y)), [x, y]);
    if (order === 2) [da, db] = grad(B.sum(B.add(da!, db!)), [x, y]);
    g.output('da', da!);
    g.output('db', db!);
    const ev = interpret(g, { a, b });
    return { da: Array.from(ev.outputs['da']!), db: Array.from(ev.outputs['db']!) };
  }

  test('first derivatives are the limits, not NaN or −∞', () => {
    const { da, db } = grads([0, 0, 0, 2], [0, 2, 0.5, 3], 1);
    expect(da[0]).toBe(0); // d/da a⁰ = 0
    expect(da[1]).toBe(0); // 2·0¹
    expect(da[2]).toBe(Infinity); // 0.5·0^−0.5: the true derivative is unbounded
    expect(da[3]).toBe(12);
    expect(db[0]).toBe(0); // d/db 0ᵇ at b = 0 (PyTorch's convention)
    expect(db[1]).toBe(0);
    expect(db[2]).toBe(0);
    expect(db[3]).toBeCloseTo(8 * Math.log(2), 12);
  });

  test('second derivatives stay finite at a zero base (no NaN through the masks)', () => {
    const { da, db } = grads([0, 0], [0, 2], 2);
    for (const v of [...da, ...db]) expect(Number.isFinite(v)).toBe(true);
  });
});
