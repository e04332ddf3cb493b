// Reference values for the movement primitives: reshape, permute/transpose, broadcast,
// slice (with steps and negative bounds), pad (with interior padding) and concat.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { run } from './run.ts';

const iotaList = (n: number) => Array.from({ length: n }, (_, i) => i);
const X24 = iotaList(24); // x[i,j,k] = 12i + 4j + k, shape [2,3,4]

describe('reshape', () => {
  test('keeps row-major order and resolves -1', () => {
    const r = run((g) => B.reshape(g.input('x', [2, 3]), [3, -1]), { x: [1, 2, 3, 4, 5, 6] });
    expect(r.shape).toEqual([3, 2]);
    expect(r.values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('to a scalar and back', () => {
    const r = run((g) => B.reshape(B.reshape(g.input('x', [1, 1]), []), [1]), { x: [5] });
    expect(r.shape).toEqual([1]);
    expect(r.values).toEqual([5]);
  });
});

describe('permute and transpose', () => {
  test('permute [2,0,1] of a [2,3,4] tensor', () => {
    const r = run((g) => B.permute(g.input('x', [2, 3, 4]), [2, 0, 1]), { x: X24 });
    expect(r.shape).toEqual([4, 2, 3]);
    expect(r.values).toEqual([
      0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23,
    ]);
  });

  test('matrix transpose', () => {
    const r = run((g) => g.input('x', [2, 3]).T, { x: [1, 2, 3, 4, 5, 6] });
    expect(r.shape).toEqual([3, 2]);
    expect(r.values).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('.T on a batch swaps only the last two axes', () => {
    const r = run((g) => g.input('x', [2, 2, 3]).T, { x: iotaList(12) });
    expect(r.shape).toEqual([2, 3, 2]);
    expect(r.values).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
  });
});

describe('broadcast', () => {
  test('[3,1] → [2,3,4] repeats along new and size-1 axes', () => {
    const r = run((g) => B.broadcastTo(g.input('x', [3, 1]), [2, 3, 4]), { x: [1, 2, 3] });
    expect(r.shape).toEqual([2, 3, 4]);
    const block = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
    expect(r.values).toEqual([...block, ...block]);
  });

  test('a row vector [3] → [2,3]', () => {
    const r = run((g) => B.broadcastTo(g.input('x', [3]), [2, 3]), { x: [7, 8, 9] });
    expect(r.values).toEqual([7, 8, 9, 7, 8, 9]);
  });
});

describe('slice', () => {
  const x10 = iotaList(10);
  const sl = (ranges: number[][]) => run((g) => B.slice(g.input('x', [10]), ranges), { x: x10 });

  test('with steps', () => {
    expect(sl([[1, 8, 3]]).values).toEqual([1, 4, 7]);
    expect(sl([[0, 10, 4]]).values).toEqual([0, 4, 8]);
    expect(sl([[2, 9, 2]]).shape).toEqual([4]);
  });

  test('negative bounds count from the end', () => {
    expect(sl([[-3]]).values).toEqual([7, 8, 9]);
    expect(sl([[2, -6]]).values).toEqual([2, 3]);
  });

  test('2-D with a step on each axis', () => {
    const r = run(
      (g) =>
        B.slice(g.input('x', [3, 4]), [
          [0, 3, 2],
          [1, 4, 2],
        ]),
      { x: iotaList(12) },
    );
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([1, 3, 9, 11]);
  });

  test('missing axes are kept whole', () => {
    const r = run((g) => B.slice(g.input('x', [3, 4]), [[1, 2]]), { x: iotaList(12) });
    expect(r.shape).toEqual([1, 4]);
    expect(r.values).toEqual([4, 5, 6, 7]);
  });
});

describe('pad', () => {
  test('lo/hi with a fill value', () => {
    const r = run((g) => B.pad(g.input('x', [3]), [[2, 1]], -1), { x: [1, 2, 3] });
    expect(r.values).toEqual([-1, -1, 1, 2, 3, -1]);
  });

  test('interior padding puts gaps between elements', () => {
    const r = run((g) => B.pad(g.input('x', [3]), [[1, 0]], 0, [1]), { x: [1, 2, 3] });
    expect(r.shape).toEqual([6]);
    expect(r.values).toEqual([0, 1, 0, 2, 0, 3]);
    const s = run((g) => B.pad(g.input('x', [2]), [[0, 0]], 9, [2]), { x: [1, 2] });
    expect(s.values).toEqual([1, 9, 9, 2]);
  });

  test('2-D, different widths per axis', () => {
    const r = run(
      (g) =>
        B.pad(g.input('x', [2, 2]), [
          [1, 0],
          [0, 1],
        ]),
      { x: [1, 2, 3, 4] },
    );
    expect(r.shape).toEqual([3, 3]);
    expect(r.values).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
  });
});

describe('concat', () => {
  test('along axis 0', () => {
    const r = run((g) => B.concat([g.input('a', [2, 2]), g.input('b', [1, 2])], 0), {
      a: [1, 2, 3, 4],
      b: [5, 6],
    });
    expect(r.shape).toEqual([3, 2]);
    expect(r.values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('along the last axis (negative), three parts', () => {
    const r = run(
      (g) => B.concat([g.input('a', [2, 1]), g.input('b', [2, 2]), g.input('c', [2, 1])], -1),
      { a: [1, 2], b: [10, 11, 20, 21], c: [-1, -2] },
    );
    expect(r.shape).toEqual([2, 4]);
    expect(r.values).toEqual([1, 10, 11, -1, 2, 20, 21, -2]);
  });

  test('along a middle axis', () => {
    const r = run((g) => B.concat([g.input('a', [2, 1, 2]), g.input('b', [2, 1, 2])], 1), {
      a: [1, 2, 3, 4],
      b: [5, 6, 7, 8],
    });
    expect(r.shape).toEqual([2, 2, 2]);
    expect(r.values).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });
});
