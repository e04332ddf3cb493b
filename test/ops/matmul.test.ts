// Reference values for matmul: 2-D, batched, batch broadcasting, vector promotion, batch folding.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { run } from './run.ts';

const A23 = [1, 2, 3, 4, 5, 6];
const B32 = [7, 8, 9, 10, 11, 12];

describe('matmul', () => {
  test('[2,3]·[3,2]', () => {
    const r = run((g) => B.matmul(g.input('a', [2, 3]), g.input('b', [3, 2])), {
      a: A23,
      b: B32,
    });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([58, 64, 139, 154]);
  });

  test('batched [2,2,2]·[2,2,2] multiplies each pair', () => {
    const r = run((g) => B.matmul(g.input('a', [2, 2, 2]), g.input('b', [2, 2, 2])), {
      a: [1, 2, 3, 4, 1, 0, 0, 1],
      b: [5, 6, 7, 8, 2, 3, 4, 5],
    });
    expect(r.shape).toEqual([2, 2, 2]);
    expect(r.values).toEqual([19, 22, 43, 50, 2, 3, 4, 5]);
  });

  test('batch dims broadcast: [2,1,2]·[1,2,3]', () => {
    const r = run((g) => B.matmul(g.input('a', [2, 1, 2]), g.input('b', [1, 2, 3])), {
      a: [1, 0, 0, 2],
      b: [1, 2, 3, 4, 5, 6],
    });
    expect(r.shape).toEqual([2, 1, 3]);
    expect(r.values).toEqual([1, 2, 3, 8, 10, 12]);
  });

  test('a rank-3 left operand with a shared 2-D right operand', () => {
    const r = run((g) => B.matmul(g.input('a', [2, 1, 3]), g.input('b', [3, 2])), {
      a: A23,
      b: B32,
    });
    expect(r.shape).toEqual([2, 1, 2]);
    expect(r.values).toEqual([58, 64, 139, 154]);
  });

  test('vectors are promoted on either side', () => {
    const left = run((g) => B.matmul(g.input('v', [3]), g.input('b', [3, 2])), {
      v: [1, 0, -1],
      b: B32,
    });
    expect(left.shape).toEqual([2]);
    expect(left.values).toEqual([-4, -4]);
    const right = run((g) => B.matmul(g.input('a', [2, 3]), g.input('v', [3])), {
      a: A23,
      v: [1, 1, 1],
    });
    expect(right.shape).toEqual([2]);
    expect(right.values).toEqual([6, 15]);
  });

  test('inner dimensions must agree', () => {
    expect(() => run((g) => B.matmul(g.input('a', [2, 3]), g.input('b', [2, 2])))).toThrow(
      /matmul: inner dimensions differ \(3 vs 2\).*\[2,3\], \[2,2\]/,
    );
  });
});
