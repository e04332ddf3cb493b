// The seed network (784-30-10, sigmoid, quadratic cost): symbolic gradients equal a hand-written
// backprop in the style of Nielsen's network.py, example by example, on real random numbers.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { evaluate, initParams } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32, normal } from '../../src/ir/init.ts';
import { topo } from '../../src/ir/traverse.ts';
import { expectClose } from '../ops/run.ts';

const SIZES = [784, 30, 10] as const;
const BATCH = 4;

/** gradc layout: x [B,784] · W1 [784,30] + b1, σ; · W2 [30,10] + b2, σ; C = ½Σ‖a−y‖² (÷B). */
function seedNetwork(average: boolean) {
  const g = new Graph('seed');
  const x = g.input('x', [BATCH, SIZES[0]]);
  const y = g.input('y', [BATCH, SIZES[2]]);
  const w1 = g.param('W1', [SIZES[0], SIZES[1]], normal(1));
  const b1 = g.param('b1', [SIZES[1]], normal(1));
  const w2 = g.param('W2', [SIZES[1], SIZES[2]], normal(1));
  const b2 = g.param('b2', [SIZES[2]], normal(1));
  const a1 = B.sigmoid(B.add(B.matmul(x, w1), b1));
  const a2 = B.sigmoid(B.add(B.matmul(a1, w2), b2));
  const d = B.sub(a2, y);
  const cost = B.mul(B.sum(B.mul(d, d)), average ? 0.5 / BATCH : 0.5);
  return { g, cost, params: [w1, b1, w2, b2] };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const sigmoidPrime = (z: number) => sigmoid(z) * (1 - sigmoid(z));

/** Nielsen's weights[l] is [out, in]; gradc's W is [in, out] row-major, so w[j][k] = W[k*out + j]. */
function feedforwardLayer(w: Float64Array, b: Float64Array, a: number[], out: number): number[] {
  const z = new Array<number>(out).fill(0);
  for (let j = 0; j < out; j++) {
    z[j] = b[j]!;
    for (let k = 0; k < a.length; k++) z[j]! += w[k * out + j]! * a[k]!;
  }
  return z;
}

/**
 * network.py's backprop(x, y) for one example, summed into nabla: δᴸ = (a−y)⊙σ'(zᴸ),
 * δˡ = (Wˡ⁺¹ᵀ δˡ⁺¹)⊙σ'(zˡ), ∂C/∂bˡ = δˡ, ∂C/∂Wˡ = δˡ aˡ⁻¹ᵀ (stored as [in, out] here).
 */
function backprop(
  p: Record<string, Float64Array>,
  x: number[],
  y: number[],
  nabla: Float64Array[],
) {
  const ws = [p['W1']!, p['W2']!];
  const bs = [p['b1']!, p['b2']!];
  const activations = [x];
  const zs: number[][] = [];
  for (let l = 0; l < 2; l++) {
    const z = feedforwardLayer(ws[l]!, bs[l]!, activations[l]!, SIZES[l + 1]!);
    zs.push(z);
    activations.push(z.map(sigmoid));
  }
  // delta = cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
  let delta = activations[2]!.map((a, j) => (a - y[j]!) * sigmoidPrime(zs[1]![j]!));
  for (let l = 1; l >= 0; l--) {
    const [inN, outN] = [SIZES[l]!, SIZES[l + 1]!];
    const prev = activations[l]!;
    // nabla_b[l] += delta; nabla_w[l] += np.dot(delta, activations[l-1].transpose())
    delta.forEach((dj, j) => (nabla[2 * l + 1]![j]! += dj));
    for (let k = 0; k < inN; k++)
      for (let j = 0; j < outN; j++) nabla[2 * l]![k * outN + j]! += delta[j]! * prev[k]!;
    if (l === 0) break;
    // delta = np.dot(weights[l+1].transpose(), delta) * sigmoid_prime(z)
    const w = ws[l]!;
    delta = zs[l - 1]!.map((z, k) => {
      let s = 0;
      for (let j = 0; j < outN; j++) s += w[k * outN + j]! * delta[j]!;
      return s * sigmoidPrime(z);
    });
  }
}

function randomBatch() {
  const rand = mulberry32(2024);
  const x = Array.from({ length: BATCH * SIZES[0] }, () => rand());
  const y = new Array<number>(BATCH * SIZES[2]).fill(0);
  for (let b = 0; b < BATCH; b++) y[b * SIZES[2] + Math.floor(rand() * SIZES[2])] = 1;
  return { x, y };
}

describe('seed network 784-30-10', () => {
  test.each([
    ['summed', false],
    ['averaged', true],
  ] as const)('%s quadratic cost: grad equals hand-written backprop', (_name, average) => {
    const { g, cost, params } = seedNetwork(average);
    const grads = grad(cost, params);
    const values = initParams(g, 5);
    const feeds = randomBatch();
    const symbolic = evaluate(g, grads, feeds, values);
    const nabla = params.map((p) => new Float64Array(p.size));
    for (let b = 0; b < BATCH; b++) {
      const xb = feeds.x.slice(b * SIZES[0], (b + 1) * SIZES[0]);
      backprop(values, xb, feeds.y.slice(b * SIZES[2], (b + 1) * SIZES[2]), nabla);
    }
    params.forEach((p, k) => {
      const want = nabla[k]!.map((v) => (average ? v / BATCH : v));
      expect(symbolic[k]!.length, p.label).toBe(p.size);
      expectClose(symbolic[k]!, want, 1e-12);
      expect(
        want.some((v) => Math.abs(v) > 1e-4),
        `${p.label} is not all ~0`,
      ).toBe(true);
    });
  });

  test('node counts: the backward graph is about the size of the forward graph', () => {
    const { g, cost, params } = seedNetwork(false);
    const forward = topo([cost]).length;
    const before = g.nodes.length;
    grad(cost, params);
    const backward = g.nodes.length - before;
    // Forward: 6 leaves + 13 ops. Backward (before simplification): 22 nodes.
    expect(forward).toBe(19);
    expect(backward).toBe(22);
  });
});
