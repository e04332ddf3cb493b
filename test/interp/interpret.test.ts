// The reference interpreter's contract: feeds are checked (names, sizes) before any work is done;
// params default to their seeded initializers; outputs, updates and extra nodes are returned.
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { Graph } from '../../src/ir/graph.ts';
import { constant, normal, uniform, values, zeros } from '../../src/ir/init.ts';
import { evaluate, initParams, interpret } from '../../src/interp/interpret.ts';
import { OPS } from '../../src/ops/table.ts';

function affine(): Graph {
  const g = new Graph('affine');
  const x = g.input('x', [2, 3]);
  const w = g.param('w', [3, 2], values([1, 0, 0, 1, 1, 1]));
  g.output('y', x.matmul(w).exp());
  return g;
}

afterEach(() => vi.restoreAllMocks());

describe('feed checks', () => {
  test('a missing input names it with its type, and nothing is evaluated', () => {
    const spy = vi.spyOn(OPS.exp, 'eval');
    const g = affine();
    expect(() => interpret(g, {})).toThrow(GraphError);
    expect(() => interpret(g, {})).toThrow(/missing input 'x' f32\[2,3\]/);
    expect(spy).not.toHaveBeenCalled();
    interpret(g, { x: [1, 2, 3, 4, 5, 6] });
    expect(spy).toHaveBeenCalledTimes(1); // the spy does see real work
  });

  test('an unknown input name lists the known ones', () => {
    const spy = vi.spyOn(OPS.matmul, 'eval');
    const g = affine();
    expect(() => interpret(g, { x: [1, 2, 3, 4, 5, 6], z: [1] })).toThrow(
      /unknown input 'z' \(the graph's inputs: x\)/,
    );
    expect(spy).not.toHaveBeenCalled();
  });

  test('data of the wrong length gives the expected count and shape', () => {
    const spy = vi.spyOn(OPS.exp, 'eval');
    const g = affine();
    const err = (() => {
      try {
        interpret(g, { x: [1, 2, 3, 4, 5] });
      } catch (e) {
        return e as GraphError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(GraphError);
    expect(err!.code).toBe('input');
    expect(err!.message).toBe("input 'x': expected 6 values for shape [2,3], got 5");
    expect(spy).not.toHaveBeenCalled();
  });

  test('params given explicitly are checked the same way', () => {
    const g = affine();
    const x = [1, 2, 3, 4, 5, 6];
    expect(() => interpret(g, { x }, {})).toThrow(/missing param 'w' f32\[3,2\]/);
    expect(() => interpret(g, { x }, { w: [1, 2] })).toThrow(
      /param 'w': expected 6 values for shape \[3,2\], got 2/,
    );
  });

  test('feed errors come before errors the evaluation itself would raise', () => {
    const g = new Graph();
    const table = B.tensor(g, [1, 2, 3]);
    const bad = g.input('ids', [1], 'i32');
    g.output('y', B.gather(table, bad).add(g.input('x', [1])));
    expect(() => interpret(g, { ids: [7] })).toThrow(/missing input 'x'/);
    expect(() => interpret(g, { ids: [7], x: [0] })).toThrow(/gather: index 7 is out of range/);
  });
});

describe('evaluation', () => {
  test('outputs use the params initializer values by default', () => {
    const g = affine();
    const { outputs } = interpret(g, { x: [0, 0, 0, 1, 0, -1] });
    // x·w = [[0,0],[0,-1]] → exp.
    expect(Array.from(outputs['y']!)).toEqual([1, 1, 1, Math.exp(-1)]);
  });

  test('explicit params override the initializers; feeds are not mutated', () => {
    const g = affine();
    const x = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const { outputs } = interpret(g, { x }, { w: [0, 0, 0, 0, 0, 0] });
    expect(Array.from(outputs['y']!)).toEqual([1, 1, 1, 1]);
    expect(Array.from(x)).toEqual([1, 0, 0, 0, 1, 0]);
  });

  test('updates, extra nodes and evaluate()', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const w = g.param('w', [2], constant(3));
    const prod = x.mul(w);
    g.output('s', prod.sum());
    g.update('w', w.sub(x));
    const ev = interpret(g, { x: [1, 2] }, undefined, [prod]);
    expect(Array.from(ev.outputs['s']!)).toEqual([9]);
    expect(Array.from(ev.updates['w']!)).toEqual([2, 1]);
    expect(Array.from(ev.value(prod))).toEqual([3, 6]);
    expect(() => ev.value(x.exp())).toThrow(/was not evaluated/);
    const [v] = evaluate(g, [x.neg()], { x: [1, 2] });
    expect(Array.from(v!)).toEqual([-1, -2]);
  });
});

describe('initParams', () => {
  test('is deterministic per seed and differs across seeds and names', () => {
    const g = new Graph();
    g.param('a', [100], normal(1));
    g.param('b', [100], normal(1));
    g.param('u', [100], uniform(-2, -1));
    g.param('z', [3], zeros);
    const p0 = initParams(g, 0);
    expect(Array.from(initParams(g, 0)['a']!)).toEqual(Array.from(p0['a']!));
    expect(Array.from(initParams(g, 1)['a']!)).not.toEqual(Array.from(p0['a']!));
    expect(Array.from(p0['b']!)).not.toEqual(Array.from(p0['a']!));
    expect(p0['u']!.every((v) => v >= -2 && v < -1)).toBe(true);
    expect(Array.from(p0['z']!)).toEqual([0, 0, 0]);
  });

  test('a values initializer of the wrong length is rejected', () => {
    const g = new Graph();
    g.param('w', [2, 2], values([1, 2, 3]));
    expect(() => initParams(g)).toThrow(/init values: 3 values for 4 elements/);
  });
});
