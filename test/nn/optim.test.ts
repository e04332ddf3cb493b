// Optimizer update rules against hand-computed values: SGD, momentum, Adam, AdamW, clipping,
// and the host-side learning-rate schedules.
import { describe, expect, test } from 'vitest';
import { tensor } from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { values } from '../../src/ir/init.ts';
import type { Optimizer } from '../../src/nn/optim.ts';
import { adam, adamw, minimize, momentum, sgd } from '../../src/nn/optim.ts';
import { constantLr, cosineLr, stepLr } from '../../src/nn/schedule.ts';

const W0 = [1, -2];
const C = [0.5, 0.5];

/** L = ½‖w − c‖², so ∂L/∂w = w − c: every update is easy to compute by hand. */
async function quadratic(optimizer: Optimizer, clipNorm?: number) {
  const g = new Graph('quad');
  const w = g.param('w', [2], values(W0));
  const d = w.sub(tensor(g, C));
  const loss = d.mul(d).sum().mul(0.5);
  g.output('loss', loss);
  const m = minimize(g, loss, { optimizer, clipNorm });
  if (m.gradNorm) g.output('grad_norm', m.gradNorm);
  return compile(g, { target: 'interp' });
}

async function run(optimizer: Optimizer, steps: number, lr = 0.1, clipNorm?: number) {
  const exe = await quadratic(optimizer, clipNorm);
  const ws: number[][] = [];
  for (let i = 0; i < steps; i++) {
    await exe.step({ lr: [lr] });
    ws.push([...exe.params['w']!]);
  }
  return { ws, exe };
}

function expectClose(actual: readonly number[], expected: readonly number[], digits = 5) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}

describe('optimizers', () => {
  test('SGD: w ← w − α·(w − c)', async () => {
    const { ws } = await run(sgd(), 3);
    expectClose(ws[0]!, [0.95, -1.75]); // 1 − 0.1·0.5, −2 − 0.1·(−2.5)
    expectClose(ws[1]!, [0.905, -1.525]);
    expectClose(ws[2]!, [0.8645, -1.3225]);
  });

  test('momentum: m ← 0.9·m + g; w ← w − α·m', async () => {
    const { ws, exe } = await run(momentum(0.9), 2);
    expectClose(ws[0]!, [0.95, -1.75]); // m1 = g1 = [0.5, −2.5]
    // g2 = [0.45, −2.25]; m2 = 0.9·m1 + g2 = [0.9, −4.5]; w2 = w1 − 0.1·m2
    expectClose(ws[1]!, [0.86, -1.3]);
    expectClose([...exe.params['w.m']!], [0.9, -4.5]);
  });

  test('Adam: first step moves each weight by α·sign(g), state and step count kept', async () => {
    const { ws, exe } = await run(adam(), 2);
    expectClose(ws[0]!, [0.9, -1.9], 5);
    // g1 = [0.5, −2.5], g2 = w1 − c = [0.4, −2.4]; m2 = 0.9·(0.1·g1) + 0.1·g2.
    expectClose([...exe.params['w.m']!], [0.085, -0.465], 5);
    expect(exe.params['optimizer.t']![0]).toBe(2);
    // Step 2 by the textbook formulas.
    const ref = adamReference(2, 0.1, 0);
    expectClose(ws[1]!, ref, 5);
  });

  test('AdamW: decoupled decay α·λ·w added to the Adam step', async () => {
    // w is a vector, which the default decay group (matrices only) leaves out: decay it here.
    const { ws } = await run(adamw({ weightDecay: 0.5, decay: () => true }), 3);
    // Step 1: w − α(sign(g) + λw) = [1 − 0.1(1 + 0.5), −2 − 0.1(−1 − 1)]
    expectClose(ws[0]!, [0.85, -1.8], 5);
    expectClose(ws[2]!, adamReference(3, 0.1, 0.5), 5);
  });

  test('clipping by global norm scales the gradient to the limit', async () => {
    // ‖g‖ = ‖[0.5, −2.5]‖ = √6.5; clipped to norm 1 → g/√6.5.
    const { ws } = await run(sgd(), 1, 0.1, 1);
    const n = Math.sqrt(6.5);
    expectClose(ws[0]!, [1 - (0.1 * 0.5) / n, -2 + (0.1 * 2.5) / n]);
    // A large limit leaves the gradient alone.
    const loose = await run(sgd(), 1, 0.1, 100);
    expectClose(loose.ws[0]!, [0.95, -1.75]);
    // The norm needs a gradient: a step() output, absent from run() (which compiles no backward).
    expect(Object.keys(await loose.exe.run({ lr: [0] }))).toEqual(['loss']);
    const out = await loose.exe.step({ lr: [0] }); // lr 0: w stays at w1
    expect(out['grad_norm']![0]).toBeCloseTo(Math.hypot(0.45, -2.25), 5); // at w1 = [0.95, −1.75]
  });
});

/** Adam/AdamW on L = ½‖w − c‖² in plain float64, for `steps` steps. */
function adamReference(steps: number, lr: number, decay: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const w = [...W0];
  const m = [0, 0];
  const v = [0, 0];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < 2; i++) {
      const g = w[i]! - C[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      w[i] = w[i]! - lr * (mh / (Math.sqrt(vh) + eps) + decay * w[i]!);
    }
  }
  return w;
}

describe('learning-rate schedules', () => {
  test('constant, step and cosine', () => {
    expect(constantLr(0.3)(1000)).toBe(0.3);
    const s = stepLr(1, 10, 0.5);
    expect([s(0), s(9), s(10), s(25)]).toEqual([1, 1, 0.5, 0.25]);
    const c = cosineLr(1, 100, 0.1);
    expect(c(0)).toBeCloseTo(1);
    expect(c(50)).toBeCloseTo(0.55);
    expect(c(100)).toBeCloseTo(0.1);
    expect(c(200)).toBeCloseTo(0.1);
    const warm = cosineLr(1, 100, 0, 10);
    expect(warm(0)).toBeCloseTo(0.1);
    expect(warm(9)).toBeCloseTo(1);
  });
});
