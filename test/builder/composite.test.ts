// Composites against direct formulas: mean, variance, softmax family (incl. stability at large
// logits), layerNorm, gelu (tanh form) and softmax cross-entropy.
import { describe, expect, test } from 'vitest';
import * as C from '../../src/builder/composite.ts';
import { expectClose, run } from '../ops/run.ts';

const X = [1, 2, 3, 4, 5, 9]; // [2,3]

describe('mean and variance', () => {
  test('mean over all, rows, columns, keepdims', () => {
    const m = (axes?: number, keep = false) =>
      run((g) => C.mean(g.input('x', [2, 3]), axes, keep), { x: X });
    expect(m().values).toEqual([4]);
    expect(m(1).values).toEqual([2, 6]);
    expect(m(0).values).toEqual([2.5, 3.5, 6]);
    expect(m(-1, true).shape).toEqual([2, 1]);
  });

  test('population variance per row', () => {
    const r = run((g) => C.variance(g.input('x', [2, 3]), -1), { x: X });
    // Row [1,2,3]: (1+0+1)/3; row [4,5,9]: (4+1+9)/3.
    expectClose(r.values, [2 / 3, 14 / 3]);
    const all = run((g) => C.variance(g.input('x', [2, 3])), { x: X });
    // Mean 4: (9+4+1+0+1+25)/6.
    expectClose(all.values, [40 / 6]);
  });
});

describe('softmax family', () => {
  const S123 = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
  const L123 = [-2.4076059644443806, -1.4076059644443806, -0.4076059644443806];

  test('softmax of [1,2,3] and rows summing to 1', () => {
    const r = run((g) => C.softmax(g.input('x', [2, 3])), { x: [1, 2, 3, -1, 0, 4] });
    expectClose(r.values.slice(0, 3), S123, 1e-12);
    expectClose([r.values.slice(0, 3).reduce((a, b) => a + b)], [1], 1e-12);
    expectClose([r.values.slice(3).reduce((a, b) => a + b)], [1], 1e-12);
  });

  test('softmax is stable for logits near 1000 and −1000', () => {
    const r = run((g) => C.softmax(g.input('x', [2, 3])), {
      x: [1001, 1002, 1003, -1000, -1000, 0],
    });
    expect(r.values.every(Number.isFinite)).toBe(true);
    expectClose(r.values.slice(0, 3), S123, 1e-12);
    expectClose(r.values.slice(3), [0, 0, 1], 1e-12);
  });

  test('softmax over axis 0', () => {
    const r = run((g) => C.softmax(g.input('x', [3, 1]), 0), { x: [1, 2, 3] });
    expectClose(r.values, S123, 1e-12);
  });

  test('logSoftmax of [1,2,3] and of [1001,1002,1003]', () => {
    const r = run((g) => C.logSoftmax(g.input('x', [2, 3])), {
      x: [1, 2, 3, 1001, 1002, 1003],
    });
    expectClose(r.values, [...L123, ...L123], 1e-12);
  });

  test('logsumexp is stable: [1000, 1000] → 1000 + log 2', () => {
    const r = run((g) => C.logsumexp(g.input('x', [2, 2]), -1), {
      x: [1000, 1000, -1000, -1000],
    });
    expect(r.shape).toEqual([2]);
    expectClose(r.values, [1000.6931471805599, -999.3068528194401], 1e-14);
  });

  test('logsumexp over all axes and with keepdims', () => {
    const all = run((g) => C.logsumexp(g.input('x', [3])), { x: [1, 2, 3] });
    expect(all.shape).toEqual([]);
    expectClose(all.values, [3.40760596444438], 1e-12);
    const kept = run((g) => C.logsumexp(g.input('x', [1, 3]), 1, true), { x: [1, 2, 3] });
    expect(kept.shape).toEqual([1, 1]);
    expectClose(kept.values, [3.40760596444438], 1e-12);
  });
});

/** Direct layer norm over the last axis of rows of length n. */
function layerNormDirect(x: number[], n: number, gamma: number[], beta: number[], eps: number) {
  const out: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const row = x.slice(r * n, (r + 1) * n);
    const mu = row.reduce((a, b) => a + b, 0) / n;
    const v = row.reduce((a, b) => a + (b - mu) * (b - mu), 0) / n;
    row.forEach((t, i) => out.push(((t - mu) / Math.sqrt(v + eps)) * gamma[i]! + beta[i]!));
  }
  return out;
}

describe('layerNorm', () => {
  const x = [1, 2, 3, 4, -3, 0, 0, 7];
  test('without affine: row [1,2,3,4] → (x − 2.5)/√1.25', () => {
    const r = run((g) => C.layerNorm(g.input('x', [2, 4]), undefined, undefined, 0), { x });
    const s = Math.sqrt(1.25);
    expectClose(r.values.slice(0, 4), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-12);
  });

  test('with gamma, beta and eps, against the direct formula', () => {
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 1, -1, 0.25];
    const r = run(
      (g) => C.layerNorm(g.input('x', [2, 4]), g.input('gamma', [4]), g.input('beta', [4]), 1e-3),
      { x, gamma, beta },
    );
    expectClose(r.values, layerNormDirect(x, 4, gamma, beta, 1e-3), 1e-12);
  });
});

describe('gelu (tanh form)', () => {
  test('hand values', () => {
    const r = run((g) => C.gelu(g.input('x', [5])), { x: [-1, 0, 0.5, 1, 2] });
    expectClose(
      r.values,
      [-0.15880800939172324, 0, 0.34571400982514394, 0.8411919906082768, 1.954597694087775],
      1e-12,
    );
  });

  test('against ½x(1 + tanh(√(2/π)(x + 0.044715x³))) on a grid', () => {
    const xs = Array.from({ length: 41 }, (_, i) => -5 + i * 0.25);
    const r = run((g) => C.gelu(g.input('x', [xs.length])), { x: xs });
    const k = Math.sqrt(2 / Math.PI);
    expectClose(
      r.values,
      xs.map((t) => 0.5 * t * (1 + Math.tanh(k * (t + 0.044715 * t * t * t)))),
      1e-12,
    );
  });
});

describe('leakyRelu', () => {
  test('scales negatives by the slope', () => {
    const r = run((g) => C.leakyRelu(g.input('x', [3]), 0.1), { x: [-2, 0, 3] });
    expectClose(r.values, [-0.2, 0, 3]);
  });
});

describe('softmaxCrossEntropy', () => {
  test('one-hot targets: −log softmax at the label', () => {
    const r = run((g) => C.softmaxCrossEntropy(g.input('z', [2, 3]), g.input('y', [2, 3])), {
      z: [1, 2, 3, 1, 2, 3],
      y: [0, 0, 1, 1, 0, 0],
    });
    expect(r.shape).toEqual([2]);
    expectClose(r.values, [0.4076059644443806, 2.4076059644443806], 1e-12);
  });

  test('soft targets against −Σ y log softmax, including large logits', () => {
    const z = [0.5, -1, 2, 1000, 998, 999];
    const y = [0.2, 0.3, 0.5, 0.1, 0.6, 0.3];
    const r = run((g) => C.softmaxCrossEntropy(g.input('z', [2, 3]), g.input('y', [2, 3])), {
      z,
      y,
    });
    const direct = [0, 1].map((row) => {
      const zr = z.slice(row * 3, row * 3 + 3);
      const m = Math.max(...zr);
      const lse = m + Math.log(zr.reduce((s, v) => s + Math.exp(v - m), 0));
      return -zr.reduce((s, v, i) => s + y[row * 3 + i]! * (v - lse), 0);
    });
    expect(r.values.every(Number.isFinite)).toBe(true);
    expectClose(r.values, direct, 1e-12);
  });
});
