// Build-time errors: GraphError with a stable code whose message names the op, the operand
// shapes (or dtypes) and the user's own file:line, which here is this test file.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';
import { caught, here } from '../support/errors.ts';

describe('shape errors', () => {
  test('add of [2,3] and [4] names the op, both shapes and this file:line', () => {
    const g = new Graph();
    const a = g.input('a', [2, 3]);
    const b = g.input('b', [4]);
    expect(() => a.add(b)).toThrow(/add: .*\[2,3\].*\[4\].*ir\/errors\.test\.ts:\d+/);
    const [err, line] = [caught(() => a.add(b)), here()];
    expect(err.code).toBe('shape');
    expect(err.site).toEqual({ file: 'test/ir/errors.test.ts', line });
    expect(err.message).toBe(
      `add: shapes do not broadcast; operand shapes [2,3], [4] (at test/ir/errors.test.ts:${line})`,
    );
  });

  test('direct apply with unequal shapes (no builder broadcasting)', () => {
    const g = new Graph();
    const [a, b] = [g.input('a', [2, 3]), g.input('b', [3])];
    const [err, line] = [caught(() => g.apply('mul', [a, b])), here()];
    expect(err.message).toBe(
      `mul: operands must have the same shape; operand shapes [2,3], [3] (at test/ir/errors.test.ts:${line})`,
    );
  });

  test('matmul inner dimensions', () => {
    const g = new Graph();
    expect(() => g.input('a', [2, 3]).matmul(g.input('b', [4, 5]))).toThrow(
      /^matmul: inner dimensions differ \(3 vs 4\); operand shapes \[2,3\], \[4,5\] \(at test\/ir\/errors\.test\.ts:\d+\)$/,
    );
  });

  test('reshape to the wrong size', () => {
    const g = new Graph();
    expect(() => g.input('x', [2, 3]).reshape([4, 2])).toThrow(
      /reshape: cannot reshape 6 elements to \[4,2\]; operand shapes \[2,3\].*errors\.test\.ts:\d+/,
    );
  });

  test('reduce over an axis outside the rank', () => {
    const g = new Graph();
    const err = caught(() => g.input('x', [2, 2]).sum(2));
    expect(err.code).toBe('attr');
    expect(err.message).toMatch(/sum: bad axes \[2\]; operand shapes \[2,2\].*errors\.test\.ts/);
  });

  test('concat of shapes that differ off the axis', () => {
    const g = new Graph();
    expect(() => B.concat([g.input('a', [2, 3]), g.input('b', [2, 4])], 0)).toThrow(
      /concat: shapes differ off axis 0; operand shapes \[2,3\], \[2,4\].*errors\.test\.ts:\d+/,
    );
  });

  test('a bad permutation and a bad slice step', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    expect(() => x.permute([0, 0])).toThrow(
      /permute: bad permutation \[0,0\]; operand shapes \[2,3\]/,
    );
    expect(() => x.slice([[0, 2, 0]])).toThrow(/slice: bad slice 0:2:0 on axis 0 of length 2/);
  });

  test('broadcastTo an incompatible shape', () => {
    const g = new Graph();
    expect(() => g.input('x', [3]).broadcastTo([2, 4])).toThrow(
      /broadcast: cannot broadcast \[3\] to \[2,4\]; operand shapes \[3\].*errors\.test\.ts:\d+/,
    );
  });
});

describe('dtype errors', () => {
  test('f32 + i32 names both dtypes, the op and the line', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const i = g.input('i', [2], 'i32');
    const [err, line] = [caught(() => x.add(i)), here()];
    expect(err.code).toBe('dtype');
    expect(err.message).toBe(
      `add: dtype mismatch: f32 vs i32; operand shapes [2], [2] (at test/ir/errors.test.ts:${line})`,
    );
  });

  test('float-only ops reject i32, arithmetic rejects bool', () => {
    const g = new Graph();
    const i = g.input('i', [3], 'i32');
    expect(() => i.exp()).toThrow(/exp: dtype i32: needs f32; operand shapes \[3\]/);
    const c = g.input('x', [3]).gt(0);
    expect(() => c.add(c)).toThrow(/add: dtype bool is not allowed \(cast it first\)/);
    expect(() => c.sum()).toThrow(/sum: dtype bool cannot be reduced/);
  });

  test('where needs a bool condition; gather needs i32 indices', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    expect(() => B.where(x, x, x)).toThrow(/where: dtype f32: the condition must be bool/);
    expect(() => B.gather(x, x)).toThrow(/gather: dtype f32: indices must be i32.*errors\.test/);
  });
});

describe('graph errors', () => {
  test('an operand from another graph', () => {
    const g = new Graph();
    const h = new Graph();
    const err = caught(() => g.input('x', [2]).add(h.input('y', [2])));
    expect(err.code).toBe('graph');
    expect(err.message).toMatch(/add: operand y: f32\[2\] belongs to another graph/);
  });

  test('duplicate leaf names, and updates of unknown or mis-shaped params', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    expect(() => g.input('x', [2])).toThrow(/input 'x': the name is already used/);
    expect(() => g.param('x', [2], zeros)).toThrow(/param 'x': the name is already used/);
    g.param('w', [2, 2], zeros);
    expect(() => g.update('v', x)).toThrow(/update: no param named 'v'/);
    expect(() => g.update('w', x)).toThrow(
      /update: new value for 'w' has the wrong shape; operand shapes \[2,2\], \[2\]/,
    );
  });
});

describe('shapes past int32 indexing', () => {
  test('an input of 10¹⁸ elements is refused where it is declared, with no operand list', () => {
    const g = new Graph();
    const [err, line] = [caught(() => g.input('x', [1e9, 1e9])), here()];
    expect(err.code).toBe('shape');
    expect(err.message).toBe(
      `input: the result shape [1000000000,1000000000] has 1000000000000000000 elements, more than the 2147483647 a tensor can index (at test/ir/errors.test.ts:${line})`,
    );
    expect(caught(() => g.input('y', [-2, 3])).message).toMatch(
      /^input: input 'y': bad shape \[-2,3\] \(at /,
    );
  });

  test('a matmul whose product would pass 2³¹ − 1 elements names its operands', () => {
    const g = new Graph();
    const a = g.input('a', [70000, 1]);
    const b = g.input('b', [1, 70000]);
    expect(() => B.matmul(a, b)).toThrow(
      /^matmul: the result shape \[70000,70000\] has 4900000000 elements.*operand shapes \[70000,1\], \[1,70000\] \(at test\/ir\/errors\.test\.ts:\d+\)$/,
    );
  });
});
