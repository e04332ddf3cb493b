// Reference values for sum and max over various axes, with and without keepdims.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { run } from './run.ts';

const X24 = Array.from({ length: 24 }, (_, i) => i); // x[i,j,k] = 12i + 4j + k, shape [2,3,4]
const sum24 = (axes?: number | number[], keepdims = false) =>
  run((g) => B.sum(g.input('x', [2, 3, 4]), axes, keepdims), { x: X24 });

describe('sum', () => {
  test('over all axes gives a scalar', () => {
    const r = sum24();
    expect(r.shape).toEqual([]);
    expect(r.values).toEqual([276]);
  });

  test('over each single axis', () => {
    expect(sum24(0).shape).toEqual([3, 4]);
    expect(sum24(0).values).toEqual([12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]);
    expect(sum24(1).shape).toEqual([2, 4]);
    expect(sum24(1).values).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(sum24(2).values).toEqual([6, 22, 38, 54, 70, 86]);
  });

  test('negative axes and axis sets', () => {
    expect(sum24(-1).values).toEqual([6, 22, 38, 54, 70, 86]);
    const r = sum24([2, 0]);
    expect(r.shape).toEqual([3]);
    expect(r.values).toEqual([60, 92, 124]);
  });

  test('keepdims keeps size-1 axes', () => {
    const r = sum24(1, true);
    expect(r.shape).toEqual([2, 1, 4]);
    expect(r.values).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(sum24([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(sum24(undefined, true).shape).toEqual([1, 1, 1]);
  });

  test('an empty axis list is the identity', () => {
    const r = sum24([]);
    expect(r.shape).toEqual([2, 3, 4]);
    expect(r.values).toEqual(X24);
  });
});

describe('max', () => {
  // Row 1 is all negative: the fold must start from −∞, not 0.
  const M = [3, -1, 7, -5, -2, -9];
  const max = (axes?: number | number[], keepdims = false) =>
    run((g) => B.max(g.input('x', [2, 3]), axes, keepdims), { x: M });

  test('over rows, columns and everything', () => {
    expect(max(1).values).toEqual([7, -2]);
    expect(max(0).values).toEqual([3, -1, 7]);
    expect(max().values).toEqual([7]);
  });

  test('keepdims', () => {
    const r = max(-1, true);
    expect(r.shape).toEqual([2, 1]);
    expect(r.values).toEqual([7, -2]);
  });

  test('on a 3-D input over the middle axis', () => {
    const r = run((g) => B.max(g.input('x', [2, 2, 2]), 1), { x: [1, 8, 5, 2, -3, -4, -6, -1] });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([5, 8, -3, -1]);
  });
});

test('reducing an i32 tensor keeps i32', () => {
  const r = run((g) => B.sum(g.input('i', [3], 'i32')), { i: [1, 2, 3] });
  expect(r.dtype).toBe('i32');
  expect(r.values).toEqual([6]);
});
