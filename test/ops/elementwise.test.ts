// Reference values for the elementwise primitives (unary, binary, comparisons, where, cast),
// checked against hand-computed literals through the float64 interpreter.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import type { Node } from '../../src/ir/node.ts';
import { expectClose, run } from './run.ts';

const X = [-2, -0.5, 0, 1, 4];

function unary(f: (x: Node) => Node, xs: readonly number[] = X): number[] {
  return run((g) => f(g.input('x', [xs.length])), { x: xs }).values;
}

describe('unary ops', () => {
  test('neg, abs, sign, relu on mixed signs (exact)', () => {
    expect(unary(B.neg)).toEqual([2, 0.5, -0, -1, -4]);
    expect(unary(B.abs)).toEqual([2, 0.5, 0, 1, 4]);
    expect(unary(B.sign)).toEqual([-1, -1, 0, 1, 1]);
    expect(unary(B.relu)).toEqual([0, 0, 0, 1, 4]);
  });

  test('exp and log', () => {
    expectClose(
      unary(B.exp, [-1, 0, 1, 2]),
      [0.36787944117144233, 1, 2.718281828459045, 7.38905609893065],
    );
    expectClose(unary(B.log, [0.5, 1, Math.E, 10]), [-0.6931471805599453, 0, 1, 2.302585092994046]);
    expect(unary(B.log, [0, -1])).toEqual([-Infinity, NaN]);
  });

  test('sqrt and reciprocal', () => {
    expectClose(unary(B.sqrt, [0, 1, 2, 9, 0.25]), [0, 1, 1.4142135623730951, 3, 0.5]);
    expect(unary(B.reciprocal, [-4, 0.5, 1, 8])).toEqual([-0.25, 2, 1, 0.125]);
  });

  test('sin and cos', () => {
    expectClose(unary(B.sin, [0, 1, Math.PI / 2, Math.PI / 6]), [0, 0.8414709848078965, 1, 0.5]);
    expectClose(unary(B.cos, [0, 1, Math.PI, Math.PI / 3]), [1, 0.5403023058681398, -1, 0.5]);
  });

  test('tanh and sigmoid', () => {
    expectClose(unary(B.tanh, [-2, 0, 1]), [-0.9640275800758169, 0, 0.7615941559557649]);
    expectClose(unary(B.sigmoid, [-1, 0, 2]), [0.2689414213699951, 0.5, 0.8807970779778823]);
    // Saturation without NaN: σ(±800) is exactly 0 or 1 in float64.
    expect(unary(B.sigmoid, [-800, 800])).toEqual([0, 1]);
  });

  test('square is x·x and keeps the shape', () => {
    const r = run((g) => B.square(g.input('x', [2, 2])), { x: [1, -2, 3, 0.5] });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([1, 4, 9, 0.25]);
  });
});

const A = [6, -3, 2, 0.5];
const Bv = [3, 4, -2, 0.5];

function binary(f: (a: Node, b: Node) => Node, a = A, b = Bv): number[] {
  return run((g) => f(g.input('a', [a.length]), g.input('b', [b.length])), { a, b }).values;
}

describe('binary ops', () => {
  test('add, sub, mul, div', () => {
    expect(binary(B.add)).toEqual([9, 1, 0, 1]);
    expect(binary(B.sub)).toEqual([3, -7, 4, 0]);
    expect(binary(B.mul)).toEqual([18, -12, -4, 0.25]);
    expect(binary(B.div)).toEqual([2, -0.75, -1, 1]);
  });

  test('pow, including negative and fractional exponents', () => {
    expectClose(binary(B.pow, [2, 9, 4, -3, 10], [10, 0.5, -1, 3, 0]), [1024, 3, 0.25, -27, 1]);
  });

  test('maximum and minimum', () => {
    expect(binary(B.maximum)).toEqual([6, 4, 2, 0.5]);
    expect(binary(B.minimum)).toEqual([3, -3, -2, 0.5]);
  });

  test('a number operand takes the node shape on either side', () => {
    const x = [1, 2, 3];
    expect(run((g) => B.sub(10, g.input('x', [3])), { x }).values).toEqual([9, 8, 7]);
    expect(run((g) => g.input('x', [3]).div(2), { x }).values).toEqual([0.5, 1, 1.5]);
    expect(run((g) => g.input('x', [3]).pow(2), { x }).values).toEqual([1, 4, 9]);
  });
});

describe('comparisons', () => {
  const a = [1, 2, 3, -1];
  const b = [2, 2, 1, -1];
  const cmp = (f: (x: Node, y: Node) => Node) => {
    const r = run((g) => f(g.input('a', [4]), g.input('b', [4])), { a, b });
    expect(r.dtype).toBe('bool');
    return r.values;
  };
  test('eq ne lt le gt ge give bool 0/1', () => {
    expect(cmp(B.eq)).toEqual([0, 1, 0, 1]);
    expect(cmp(B.ne)).toEqual([1, 0, 1, 0]);
    expect(cmp(B.lt)).toEqual([1, 0, 0, 0]);
    expect(cmp(B.le)).toEqual([1, 1, 0, 1]);
    expect(cmp(B.gt)).toEqual([0, 0, 1, 0]);
    expect(cmp(B.ge)).toEqual([0, 1, 1, 1]);
  });

  test('comparisons work on i32 operands too', () => {
    const r = run((g) => B.lt(g.input('i', [3], 'i32'), 1), { i: [0, 1, 2] });
    expect(r.values).toEqual([1, 0, 0]);
  });
});

describe('where', () => {
  test('selects per element by a bool condition', () => {
    const r = run(
      (g) => {
        const x = g.input('x', [4]);
        return B.where(B.gt(x, 0), x, B.mul(x, 10));
      },
      { x: [-1, 2, 0, 3] },
    );
    expect(r.values).toEqual([-10, 2, 0, 3]);
  });

  test('broadcasts the condition and number branches', () => {
    const r = run(
      (g) => {
        const c = B.gt(g.input('c', [2, 1]), 0);
        return B.where(c, g.input('x', [3]), -1);
      },
      { c: [1, -1], x: [7, 8, 9] },
    );
    expect(r.shape).toEqual([2, 3]);
    expect(r.values).toEqual([7, 8, 9, -1, -1, -1]);
  });
});

describe('cast', () => {
  test('f32 → i32 truncates toward zero', () => {
    const r = run((g) => B.cast(g.input('x', [4]), 'i32'), { x: [2.7, -2.7, 0.2, -0.9] });
    expect(r.dtype).toBe('i32');
    expect(r.values.map((v) => v + 0)).toEqual([2, -2, 0, 0]);
  });

  test('bool → f32 gives 0/1 and f32 → bool tests non-zero', () => {
    const r = run((g) => B.cast(B.ge(g.input('x', [3]), 1), 'f32'), { x: [0, 1, 5] });
    expect(r.dtype).toBe('f32');
    expect(r.values).toEqual([0, 1, 1]);
    const s = run((g) => B.cast(g.input('x', [3]), 'bool'), { x: [0, -0.5, 3] });
    expect(s.values).toEqual([0, 1, 1]);
  });

  test('cast to the same dtype is the node itself', () => {
    const r = run(
      (g) => {
        const x = g.input('x', [2]);
        expect(B.cast(x, 'f32')).toBe(x);
        return x;
      },
      { x: [1, 2] },
    );
    expect(r.values).toEqual([1, 2]);
  });
});
