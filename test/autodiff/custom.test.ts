// stop_gradient and the hand-derived custom VJPs (logsumexp, normalize, softmax_ce): they agree
// with finite differences and with differentiating the plain expansion, and have the cheap shape.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import { gradCheck } from '../../src/autodiff/check.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { evaluate } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { topo } from '../../src/ir/traverse.ts';
import { expectClose } from '../ops/run.ts';

const rand = mulberry32(99);
const fill = (n: number, scale = 2) => Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

describe('stopGradient', () => {
  test('blocks the gradient through its operand only', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const [d] = grad(B.sum(B.mul(B.exp(x), B.stopGradient(B.exp(x)))), [x]);
    const xs = [0.1, -0.5, 1];
    // d/dx [eˣ · c] with c = eˣ held constant is e²ˣ, not the 2e²ˣ of differentiating e²ˣ.
    expectClose(
      evaluate(g, [d!], { x: xs })[0]!,
      xs.map((v) => Math.exp(2 * v)),
    );
  });

  test('a loss reached only through stopGradient has a zero gradient', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const [d] = grad(B.sum(B.stopGradient(B.square(x))), [x]);
    expect(d!.op).toBe('constant');
    expect(d!.attrs).toMatchObject({ value: 0, shape: [2] });
  });
});

/** grad of Σ f(x) ⊙ w through the custom rule and through `plain` (no custom VJP) agree. */
function sameAsExpansion(shape: number[], f: (x: Node) => Node, plain: (x: Node) => Node) {
  const g = new Graph();
  const x = g.input('x', shape);
  const w = g.input('w', f(x).shape);
  const [custom] = grad(B.sum(B.mul(f(x), w)), [x]);
  const [expanded] = grad(B.sum(B.mul(plain(x), w)), [x]);
  const size = shape.reduce((p, d) => p * d, 1);
  const feeds = { x: fill(size), w: fill(w.size, 1) };
  const [a, b] = evaluate(g, [custom!, expanded!], feeds);
  expectClose(a!, b!, 1e-12);
  const report = gradCheck(g, B.sum(B.mul(f(x), w)), [x], feeds, {}, { atol: 1e-7, rtol: 1e-7 });
  expect(report.pass).toBe(true);
  return { g, custom: custom! };
}

const ruleOf = (n: Node) => topo([n]).some((m) => (m.meta.prov?.forward.op ?? '') === 'custom_vjp');

describe('custom VJPs agree with finite differences and with the expansion', () => {
  test('logsumexp (rule: softmax)', () => {
    const plain = (x: Node) => B.log(B.sum(B.exp(x), [0, 2]));
    const { custom } = sameAsExpansion([3, 2, 4], (x) => C.logsumexp(x, [0, 2]), plain);
    expect(ruleOf(custom)).toBe(true);
  });

  test('normalize (rule: (ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)) / σ)', () => {
    const plain = (x: Node) => {
      const d = B.sub(x, C.mean(x, -1, true));
      return B.div(d, B.sqrt(B.add(C.mean(B.mul(d, d), -1, true), 1e-5)));
    };
    const { custom } = sameAsExpansion([3, 5], (x) => C.normalize(x), plain);
    expect(ruleOf(custom)).toBe(true);
  });

  test('softmax cross-entropy with one-hot targets (rule: softmax − onehot)', () => {
    const labels = [2, 0, 3];
    const g = new Graph();
    const x = g.input('x', [3, 4]);
    const y = g.input('y', [3], 'i32');
    const hot = C.oneHot(y, 4);
    const loss = B.sum(C.softmaxCrossEntropy(x, hot));
    const plain = B.neg(B.sum(B.mul(hot, B.sub(x, B.log(B.sum(B.exp(x), -1, true))))));
    const [custom] = grad(loss, [x]);
    const [expanded] = grad(plain, [x]);
    const feeds = { x: fill(12), y: labels };
    const [a, b] = evaluate(g, [custom!, expanded!], feeds);
    expectClose(a!, b!, 1e-12);
    expect(gradCheck(g, loss, [x], feeds, {}, { atol: 1e-7, rtol: 1e-7 }).pass).toBe(true);
  });

  test('the softmax-CE backward graph holds sub(exp(…), onehot)', () => {
    const g = new Graph();
    const x = g.input('x', [3, 4]);
    const hot = C.oneHot(g.input('y', [3], 'i32'), 4);
    const [d] = grad(C.mean(C.softmaxCrossEntropy(x, hot)), [x]);
    const subs = topo([d!]).filter((n) => n.op === 'sub' && n.inputs[1] === hot);
    expect(subs).toHaveLength(1);
    expect(subs[0]!.inputs[0]!.op).toBe('exp');
    expect(subs[0]!.meta.prov!.step).toBe('∂L/∂{1} = ∂L/∂{out} ⊙ (softmax({1}) − {2})');
    // No exp of the expansion's own gradient: the backward graph has one exp (the softmax).
    const created = topo([d!]).filter((n) => n.meta.prov !== null);
    expect(created.filter((n) => n.op === 'exp')).toHaveLength(1);
  });
});
