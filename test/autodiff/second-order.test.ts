// Second derivatives: grad of grad against closed-form f'' for the unary ops, and a
// Hessian-vector product of a small MLP loss against finite differences of its gradient.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { evaluate } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32, normal } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { expectClose } from '../ops/run.ts';

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const SECOND: [string, (x: Node) => Node, (x: number) => number, number[]][] = [
  ['exp', B.exp, Math.exp, [-1.5, 0.2, 2]],
  ['log', B.log, (x) => -1 / (x * x), [0.3, 1, 2.5]],
  ['sqrt', B.sqrt, (x) => -0.25 * x ** -1.5, [0.3, 1, 2.5]],
  ['reciprocal', B.reciprocal, (x) => 2 / x ** 3, [0.5, 1, -2]],
  ['sin', B.sin, (x) => -Math.sin(x), [-1, 0.5, 2]],
  ['cos', B.cos, (x) => -Math.cos(x), [-1, 0.5, 2]],
  ['tanh', B.tanh, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), [-1, 0.5, 2]],
  ['sigmoid', B.sigmoid, (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)), [-2, 0.3, 1.5]],
  ['square', B.square, () => 2, [-1, 0.5, 2]],
  ['relu', B.relu, () => 0, [-1, 0.5, 2]],
];

describe('grad of grad', () => {
  test.each(SECOND)('%s: d/dx of the symbolic first derivative is f″', (_name, f, f2, xs) => {
    const g = new Graph('f2');
    const x = g.input('x', [xs.length]);
    const [d1] = grad(B.sum(f(x)), [x]);
    const [d2] = grad(B.sum(d1!), [x]);
    const [v] = evaluate(g, [d2!], { x: xs });
    expectClose(v!, xs.map(f2), 1e-12);
  });

  test('pow: mixed second derivative ∂²(aᵇ)/∂a∂b = aᵇ⁻¹(1 + b·ln a)', () => {
    const g = new Graph('pow');
    const a = g.input('a', [2]);
    const b = g.input('b', [2]);
    const [da] = grad(B.sum(B.pow(a, b)), [a]);
    const [dab] = grad(B.sum(da!), [b]);
    const feeds = { a: [0.5, 2], b: [1.5, -0.5] };
    const [v] = evaluate(g, [dab!], feeds);
    const want = feeds.a.map((av, i) => av ** (feeds.b[i]! - 1) * (1 + feeds.b[i]! * Math.log(av)));
    expectClose(v!, want, 1e-12);
  });
});

/** A 2-layer tanh MLP with squared-error loss; params W1 [3,5], b1 [5], W2 [5,2], b2 [2]. */
function smallMlp() {
  const g = new Graph('mlp');
  const x = g.input('x', [4, 3]);
  const t = g.input('t', [4, 2]);
  const params = [
    g.param('W1', [3, 5], normal(0.7)),
    g.param('b1', [5], normal(0.2)),
    g.param('W2', [5, 2], normal(0.7)),
    g.param('b2', [2], normal(0.2)),
  ] as const;
  const [w1, b1, w2, b2] = params;
  const h = B.tanh(B.add(B.matmul(x, w1), b1));
  const d = B.sub(B.add(B.matmul(h, w2), b2), t);
  const loss = B.sum(B.mul(d, d));
  const rand = mulberry32(11);
  const fill = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
  const inputs = { x: fill(12), t: fill(8) };
  const values = Object.fromEntries(params.map((p) => [p.label!, fill(p.size)]));
  const dirs = Object.fromEntries(params.map((p) => [p.label!, fill(p.size)]));
  return { g, loss, params: [...params], inputs, values, dirs };
}

describe('Hessian-vector product', () => {
  test('grad of ⟨grad, v⟩ equals finite differences of the gradient along v', () => {
    const { g, loss, params, inputs, values, dirs } = smallMlp();
    const grads = grad(loss, params);
    const vs = params.map((p) => g.input(`v_${p.label}`, p.shape));
    const dot = grads.map((d, k) => B.sum(B.mul(d, vs[k]!))).reduce((p, q) => B.add(p, q));
    const hv = grad(dot, params);
    const vFeeds = Object.fromEntries(params.map((p) => [`v_${p.label}`, dirs[p.label!]!]));
    const symbolic = evaluate(g, hv, { ...inputs, ...vFeeds }, values);
    // (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, with the gradient graph evaluated at shifted params.
    const eps = 1e-5;
    const shifted = (s: number) =>
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, v.map((x, i) => x + s * eps * dirs[k]![i]!)]),
      );
    const up = evaluate(g, grads, { ...inputs, ...vFeeds }, shifted(1));
    const down = evaluate(g, grads, { ...inputs, ...vFeeds }, shifted(-1));
    params.forEach((p, k) => {
      const fd = up[k]!.map((u, i) => (u - down[k]![i]!) / (2 * eps));
      expectClose(symbolic[k]!, fd, 1e-7);
      expect(Math.max(...symbolic[k]!.map(Math.abs)), p.label).toBeGreaterThan(1e-3);
    });
  });

  test('the Hessian is symmetric: ⟨u, Hv⟩ = ⟨v, Hu⟩', () => {
    const { g, loss, params, inputs, values, dirs } = smallMlp();
    const grads = grad(loss, params);
    const hvp = (tag: string) => {
      const vs = params.map((p) => g.input(`${tag}_${p.label}`, p.shape));
      const dot = grads.map((d, k) => B.sum(B.mul(d, vs[k]!))).reduce((p, q) => B.add(p, q));
      return { vs, hv: grad(dot, params) };
    };
    const U = hvp('u');
    const V = hvp('v');
    const uHv = U.vs.map((u, k) => B.sum(B.mul(u, V.hv[k]!))).reduce((p, q) => B.add(p, q));
    const vHu = V.vs.map((v, k) => B.sum(B.mul(v, U.hv[k]!))).reduce((p, q) => B.add(p, q));
    const feeds: Record<string, number[]> = { ...inputs };
    params.forEach((p, k) => {
      feeds[`v_${p.label}`] = dirs[p.label!]!;
      feeds[`u_${p.label}`] = dirs[p.label!]!.map((x, i) => Math.cos(x * (k + 2) + i));
    });
    const [a, b] = evaluate(g, [uHv, vHu], feeds, values);
    expect(Math.abs(a![0]!)).toBeGreaterThan(1e-3);
    expect(a![0]!).toBeCloseTo(b![0]!, 10);
  });
});
