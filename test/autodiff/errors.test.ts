// grad's errors: a GraphError with code 'grad' that names the offending node and the line of
// this file where the user created it.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { grad, vjp } from '../../src/autodiff/grad.ts';
import { Graph } from '../../src/ir/graph.ts';
import { normal } from '../../src/ir/init.ts';
import { caught, here } from '../support/errors.ts';

const FILE = 'test/autodiff/errors.test.ts';

describe('grad errors', () => {
  test('grad of a non-scalar without cotangents', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const [y, line] = [B.tanh(x), here()];
    const err = caught(() => grad(y, [x]));
    expect(err.code).toBe('grad');
    expect(err.site).toEqual({ file: FILE, line });
    expect(err.message).toBe(
      `grad: tanh f32[2,3] is not a scalar; use vjp(ys, xs, cotangents) for non-scalar outputs (at ${FILE}:${line})`,
    );
  });

  test('vjp accepts the non-scalar with a cotangent, but not one of the wrong shape', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const [y, line] = [B.tanh(x), here()];
    expect(vjp([y], [x], [B.constant(g, 1, [2, 3])])[0]!.shape).toEqual([2, 3]);
    const err = caught(() => vjp([y], [x], [B.constant(g, 1, [3, 2])]));
    expect(err.message).toBe(
      `vjp: cotangent shape [3,2] does not match tanh f32[2,3] (at ${FILE}:${line})`,
    );
  });

  test('grad with respect to a node of another graph', () => {
    const g = new Graph('a');
    const loss = B.sum(g.input('x', [3]));
    const other = new Graph('b');
    const [w, line] = [other.param('w', [3], normal()), here()];
    const err = caught(() => grad(loss, [w]));
    expect(err.code).toBe('grad');
    expect(err.message).toBe(
      `grad: w f32[3] is not a node of the graph being differentiated (at ${FILE}:${line})`,
    );
  });

  test('grad with respect to i32 labels', () => {
    const g = new Graph();
    const logits = g.input('logits', [4, 3]);
    const [labels, line] = [g.input('labels', [4], 'i32'), here()];
    const picked = B.gather(B.reshape(logits, [12]), labels);
    const err = caught(() => grad(B.sum(picked), [logits, labels]));
    expect(err.code).toBe('grad');
    expect(err.site).toEqual({ file: FILE, line });
    expect(err.message).toBe(
      `grad: cannot differentiate with respect to labels i32[4]: i32 values (indices, labels, comparison results) have no gradient (at ${FILE}:${line})`,
    );
  });

  test('vjp with no outputs, or a missing cotangent', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    expect(() => vjp([], [x], [])).toThrow('vjp: no outputs to differentiate');
    expect(() => vjp([B.exp(x)], [x], [])).toThrow('vjp: one cotangent per output is needed');
  });
});
