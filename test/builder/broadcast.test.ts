// numpy broadcasting in the builder: explicit broadcast nodes, number operands, rank extension,
// and errors for incompatible shapes.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { run } from '../ops/run.ts';

describe('broadcasting', () => {
  test('[3,1] + [4] → [3,4]', () => {
    const r = run((g) => B.add(g.input('a', [3, 1]), g.input('b', [4])), {
      a: [0, 10, 20],
      b: [1, 2, 3, 4],
    });
    expect(r.shape).toEqual([3, 4]);
    expect(r.values).toEqual([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  });

  test('binary ops see equal shapes: the builder inserts broadcast nodes', () => {
    const g = new Graph();
    const y = B.mul(g.input('a', [3, 1]), g.input('b', [4]));
    expect(y.op).toBe('mul');
    expect(y.inputs.map((x) => x.op)).toEqual(['broadcast', 'broadcast']);
    expect(y.inputs.map((x) => x.shape)).toEqual([
      [3, 4],
      [3, 4],
    ]);
  });

  test('an operand already of the result shape is used as is', () => {
    const g = new Graph();
    const a = g.input('a', [2, 3]);
    const y = B.add(a, g.input('b', [3]));
    expect(y.inputs[0]).toBe(a);
    expect(y.inputs[1]!.op).toBe('broadcast');
  });

  test('rank extension: [2,3] − [3] subtracts the row from every row', () => {
    const r = run((g) => B.sub(g.input('a', [2, 3]), g.input('b', [3])), {
      a: [1, 2, 3, 4, 5, 6],
      b: [1, 2, 3],
    });
    expect(r.values).toEqual([0, 0, 0, 3, 3, 3]);
  });

  test('both sides grow: [2,1,3] · [4,1] → [2,4,3]', () => {
    const r = run((g) => B.mul(g.input('a', [2, 1, 3]), g.input('b', [4, 1])), {
      a: [1, 2, 3, -1, -2, -3],
      b: [0, 1, 2, 3],
    });
    expect(r.shape).toEqual([2, 4, 3]);
    expect(r.values).toEqual([
      0, 0, 0, 1, 2, 3, 2, 4, 6, 3, 6, 9, -0, -0, -0, -1, -2, -3, -2, -4, -6, -3, -6, -9,
    ]);
  });

  test('a 0-d node broadcasts to anything', () => {
    const r = run((g) => B.add(g.input('s', []), g.input('x', [2, 2])), {
      s: [100],
      x: [1, 2, 3, 4],
    });
    expect(r.values).toEqual([101, 102, 103, 104]);
  });

  test('plain numbers take the other operand shape and dtype', () => {
    const g = new Graph();
    const i = g.input('i', [2], 'i32');
    const y = B.add(i, 1);
    expect(y.dtype).toBe('i32');
    expect(y.inputs[1]!.op).toBe('constant');
    expect(y.inputs[1]!.shape).toEqual([2]);
    const r = run((h) => B.mul(3, h.input('x', [2, 2])), { x: [1, 2, 3, 4] });
    expect(r.values).toEqual([3, 6, 9, 12]);
  });

  test('incompatible shapes throw a GraphError naming both shapes', () => {
    const g = new Graph();
    const a = g.input('a', [2, 3]);
    expect(() => B.add(a, g.input('b', [4]))).toThrow(GraphError);
    expect(() => B.mul(g.input('c', [3, 2]), g.input('d', [3]))).toThrow(
      /mul: shapes do not broadcast; operand shapes \[3,2\], \[3\]/,
    );
    expect(() => B.where(B.gt(g.input('e', [5]), 0), a, 0)).toThrow(
      /where: shapes do not broadcast; operand shapes \[5\], \[2,3\]/,
    );
  });
});
