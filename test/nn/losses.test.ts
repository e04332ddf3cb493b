// Losses and penalties against their direct formulas, evaluated by the float64 interpreter.
import { describe, expect, test } from 'vitest';
import { Graph } from '../../src/ir/graph.ts';
import { values } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { interpret } from '../../src/interp/interpret.ts';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Penalty,
  l2Penalty,
  mse,
  quadraticCost,
  sparseCrossEntropy,
} from '../../src/nn/losses.ts';

const P = [0.2, 0.9, 0.5, 0.05, 0.7, 0.99];
const Y = [0, 1, 1, 0, 0, 1];
const LOGITS = [2, -1, 0.5, 30, -40, 0.1];

function evalLoss(f: (p: Node, y: Node) => Node, p: number[], y: number[], shape: number[]) {
  const g = new Graph();
  const pn = g.input('p', shape);
  const yn = g.input('y', shape);
  g.output('l', f(pn, yn));
  return interpret(g, { p, y }).outputs['l']![0]!;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('losses', () => {
  test('quadratic cost: ½‖a − y‖² per sample, mean over the batch', () => {
    const perSample = [0, 1, 2].map(
      (r) => 0.5 * [0, 1].reduce((s, c) => s + (P[2 * r + c]! - Y[2 * r + c]!) ** 2, 0),
    );
    expect(evalLoss(quadraticCost, P, Y, [3, 2])).toBeCloseTo(mean(perSample), 12);
  });

  test('mse', () => {
    expect(evalLoss(mse, P, Y, [3, 2])).toBeCloseTo(mean(P.map((p, i) => (p - Y[i]!) ** 2)), 12);
  });

  test('binary cross-entropy on probabilities, clamped at 0 and 1', () => {
    const direct = mean(P.map((p, i) => -(Y[i]! * Math.log(p) + (1 - Y[i]!) * Math.log(1 - p))));
    expect(evalLoss(binaryCrossEntropy, P, Y, [6])).toBeCloseTo(direct, 12);
    const extreme = evalLoss(binaryCrossEntropy, [0, 1], [1, 0], [2]);
    expect(extreme).toBeCloseTo(-Math.log(1e-7), 6);
  });

  test('binary cross-entropy on logits is stable for large |x|', () => {
    // −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x), softplus in its exact form.
    const softplus = (z: number) =>
      z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    const direct = mean(LOGITS.map((x, i) => (Y[i] ? softplus(-x) : softplus(x))));
    const v = evalLoss(binaryCrossEntropyWithLogits, LOGITS, Y, [6]);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeCloseTo(direct, 12);
  });

  test('categorical cross-entropy from logits: one-hot and i32 labels agree', () => {
    const logits = [1, 2, 3, 100, -100, 0];
    const labels = [2, 0];
    const onehot = [0, 0, 1, 1, 0, 0];
    const lse = (r: number[]) => {
      const m = Math.max(...r);
      return m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    const direct = mean(
      [0, 1].map((r) => lse(logits.slice(3 * r, 3 * r + 3)) - logits[3 * r + labels[r]!]!),
    );
    expect(evalLoss(crossEntropy, logits, onehot, [2, 3])).toBeCloseTo(direct, 10);
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const l = g.input('l', [2], 'i32');
    g.output('loss', sparseCrossEntropy(x, l));
    expect(interpret(g, { x: logits, l: labels }).outputs['loss']![0]).toBeCloseTo(direct, 10);
  });

  test('L1 and L2 penalties', () => {
    const g = new Graph();
    const a = g.param('a.W', [2], values([1, -2]));
    const b = g.param('b.W', [1], values([3]));
    g.output('l1', l1Penalty([a, b], 0.1));
    g.output('l2', l2Penalty([a, b], 0.1));
    const out = interpret(g, {}).outputs;
    expect(out['l1']![0]).toBeCloseTo(0.6, 12);
    expect(out['l2']![0]).toBeCloseTo(0.05 * 14, 12);
  });

  test('shape and dtype mismatches name both shapes', () => {
    const g = new Graph();
    const p = g.input('p', [4, 3]);
    const y = g.input('y', [4, 2]);
    expect(() => mse(p, y)).toThrow(/mse: prediction \[4,3\] and target \[4,2\] differ/);
    const bad = g.input('labels', [3], 'i32');
    expect(() => sparseCrossEntropy(p, bad)).toThrow(
      /i32 labels \[4\] for logits \[4,3\], got i32\[3\]/,
    );
  });
});
