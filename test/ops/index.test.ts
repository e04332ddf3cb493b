// Reference values for the index primitives: gather (embedding lookup, per-row label picking),
// scatter_add, oneHot, iota, and the seeded counter-based random op.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { oneHot, takeAlongLastAxis } from '../../src/builder/composite.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import type { RandDist } from '../../src/schedule/expr.ts';
import { run } from './run.ts';

const TABLE = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]; // row r = [10r, 10r+1, 10r+2]

describe('gather', () => {
  test('embedding lookup: [4,3] table at [2,2] ids → [2,2,3]', () => {
    const r = run((g) => B.gather(g.input('E', [4, 3]), g.input('ids', [2, 2], 'i32')), {
      E: TABLE,
      ids: [3, 0, 1, 3],
    });
    expect(r.shape).toEqual([2, 2, 3]);
    expect(r.values).toEqual([30, 31, 32, 0, 1, 2, 10, 11, 12, 30, 31, 32]);
  });

  test('along axis 1 (columns)', () => {
    const r = run((g) => B.gather(g.input('x', [2, 3]), g.input('i', [2], 'i32'), 1), {
      x: [1, 2, 3, 4, 5, 6],
      i: [2, 0],
    });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([3, 1, 6, 4]);
  });

  test('an out-of-range index is an error, not a silent read', () => {
    expect(() =>
      run((g) => B.gather(g.input('E', [4, 3]), g.input('ids', [1], 'i32')), {
        E: TABLE,
        ids: [4],
      }),
    ).toThrow(/gather: index 4 is out of range \[0, 4\)/);
  });

  test('indices must be i32', () => {
    expect(() => run((g) => B.gather(g.input('E', [4, 3]), g.input('ids', [2])))).toThrow(
      /gather: dtype f32: indices must be i32/,
    );
  });
});

describe('takeAlongLastAxis', () => {
  test('picks one entry per row by label', () => {
    const r = run((g) => takeAlongLastAxis(g.input('x', [3, 4]), g.input('y', [3], 'i32')), {
      x: [0.1, 0.2, 0.3, 0.4, 1.1, 1.2, 1.3, 1.4, 2.1, 2.2, 2.3, 2.4],
      y: [3, 0, 2],
    });
    expect(r.shape).toEqual([3]);
    expect(r.values).toEqual([0.4, 1.1, 2.3]);
  });

  test('with two leading axes', () => {
    const r = run((g) => takeAlongLastAxis(g.input('x', [2, 2, 3]), g.input('y', [2, 2], 'i32')), {
      x: Array.from({ length: 12 }, (_, i) => i),
      y: [0, 1, 2, 1],
    });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([0, 4, 8, 10]);
  });
});

describe('scatter_add', () => {
  test('repeated indices accumulate (axis 0)', () => {
    const r = run((g) => B.scatterAdd(g.input('u', [3, 2]), g.input('i', [3], 'i32'), 0, 3), {
      u: [1, 2, 3, 4, 5, 6],
      i: [0, 2, 0],
    });
    expect(r.shape).toEqual([3, 2]);
    expect(r.values).toEqual([6, 8, 0, 0, 3, 4]);
  });

  test('along axis 1', () => {
    const r = run((g) => B.scatterAdd(g.input('u', [2, 3]), g.input('i', [3], 'i32'), 1, 2), {
      u: [1, 2, 3, 4, 5, 6],
      i: [1, 1, 0],
    });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([3, 3, 6, 9]);
  });
});

describe('oneHot', () => {
  test('rows of the identity; an out-of-range index gives a zero row', () => {
    const r = run((g) => oneHot(g.input('i', [4], 'i32'), 3), { i: [2, 0, 1, 5] });
    expect(r.shape).toEqual([4, 3]);
    expect(r.dtype).toBe('f32');
    expect(r.values).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  test('2-D indices add a trailing axis', () => {
    const r = run((g) => oneHot(g.input('i', [2, 2], 'i32'), 2), { i: [1, 0, 0, 1] });
    expect(r.shape).toEqual([2, 2, 2]);
    expect(r.values).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
  });

  test('rejects f32 indices', () => {
    expect(() => run((g) => oneHot(g.input('i', [2]), 3))).toThrow(
      /one_hot: indices must be i32, got f32/,
    );
  });
});

describe('iota', () => {
  test('counts along the chosen axis', () => {
    expect(run((g) => B.iota(g, [2, 3], 0)).values).toEqual([0, 0, 0, 1, 1, 1]);
    const r = run((g) => B.iota(g, [2, 3], 1));
    expect(r.dtype).toBe('i32');
    expect(r.values).toEqual([0, 1, 2, 0, 1, 2]);
    expect(run((g) => B.iota(g, [2, 3, 2], 1, 'f32')).values).toEqual([
      0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2,
    ]);
  });

  test('an axis outside the shape is rejected', () => {
    expect(() => run((g) => B.iota(g, [2, 3], 2))).toThrow(/iota: axis 2 out of range/);
  });
});

describe('random', () => {
  const draw = (n: number, dist: RandDist, seed: number, counter?: number): Float64Array => {
    const g = new Graph('rng');
    const ctr = counter === undefined ? undefined : g.input('step', [], 'i32');
    g.output('r', B.random(g, [n], { dist, seed, counter: ctr }));
    return interpret(g, counter === undefined ? {} : { step: [counter] }).outputs['r']!;
  };
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const std = (v: Float64Array) => {
    const m = mean(v);
    return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
  };

  test('the same seed and counter give the same values, in separate graphs', () => {
    expect(Array.from(draw(64, 'uniform', 7, 3))).toEqual(Array.from(draw(64, 'uniform', 7, 3)));
    expect(Array.from(draw(64, 'normal', 7))).toEqual(Array.from(draw(64, 'normal', 7)));
  });

  test('a different seed or counter changes the values', () => {
    const base = Array.from(draw(64, 'uniform', 7, 3));
    const otherSeed = Array.from(draw(64, 'uniform', 8, 3));
    const otherCounter = Array.from(draw(64, 'uniform', 7, 4));
    const same = (a: number[], b: number[]) => a.filter((x, i) => x === b[i]).length;
    expect(same(base, otherSeed)).toBeLessThan(3);
    expect(same(base, otherCounter)).toBeLessThan(3);
  });

  test('uniform draws lie in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12', () => {
    const v = draw(10_000, 'uniform', 1234);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect(Math.abs(mean(v) - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(std(v) ** 2 - 1 / 12)).toBeLessThan(0.005);
    expect(new Set(v).size).toBeGreaterThan(9_900);
  });

  test('normal draws have mean ≈ 0 and std ≈ 1', () => {
    const v = draw(10_000, 'normal', 99);
    expect(Math.abs(mean(v))).toBeLessThan(0.04);
    expect(Math.abs(std(v) - 1)).toBeLessThan(0.04);
    expect(v.every(Number.isFinite)).toBe(true);
    // About 68% of a standard normal lies within one std of the mean.
    const within = v.filter((x) => Math.abs(x) < 1).length / v.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.03);
  });

  test('the counter must be an i32 scalar', () => {
    const g = new Graph();
    const bad = g.input('step', [2], 'i32');
    expect(() => B.random(g, [3], { counter: bad })).toThrow(
      /random: the counter must be an i32 scalar/,
    );
  });
});
