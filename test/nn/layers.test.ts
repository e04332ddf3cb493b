// Layers: naming and scopes, dropout masks, batch norm train/eval, layer norm, conv, embedding,
// residual, and initializer statistics.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { materialize } from '../../src/ir/init.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { fansOf, heNormal, xavierNormal, xavierUniform } from '../../src/nn/init.ts';
import { conv2d, dense, embedding, flatten, maxPool, residual } from '../../src/nn/layers.ts';
import { batchNorm, dropout, layerNorm } from '../../src/nn/norm.ts';

describe('dense', () => {
  test('names params, scopes and labels nodes; auto names count up', () => {
    const g = new Graph();
    const x = g.input('x', [4, 3]);
    const h = dense(x, 5, { activation: 'sigmoid' });
    const y = dense(h, 2);
    expect([...g.params.keys()]).toEqual(['dense1.W', 'dense1.b', 'dense2.W', 'dense2.b']);
    expect(g.params.get('dense1.W')!.node.shape).toEqual([3, 5]);
    expect(h.label).toBe('dense1.a');
    expect(h.inputs[0]!.label).toBe('dense1.z');
    expect(h.meta.scope).toBe('dense1');
    expect(y.label).toBe('dense2.z');
    expect(y.shape).toEqual([4, 2]);
  });

  test('computes σ(xW + b)', () => {
    const g = new Graph();
    const x = g.input('x', [1, 2]);
    g.output('y', dense(x, 1, { name: 'fc', activation: 'sigmoid' }));
    const y = interpret(g, { x: [1, 2] }, { 'fc.W': [0.5, -1], 'fc.b': [0.25] }).outputs['y']![0]!;
    expect(y).toBeCloseTo(1 / (1 + Math.exp(-(0.5 - 2 + 0.25))), 12);
  });
});

describe('dropout', () => {
  async function masks(seed: number) {
    const g = new Graph();
    const x = g.input('x', [8, 32]);
    g.output('y', dropout(x, 0.25, 'train', { seed }));
    return compile(g, { target: 'interp' });
  }
  const ones = new Float32Array(8 * 32).fill(1);

  test('reproducible by seed and step, fresh each step, inverted scaling', async () => {
    const exe = await masks(7);
    const a = (await exe.run({ x: ones, step: [0] }))['y']!;
    const b = (await exe.run({ x: ones, step: [0] }))['y']!;
    const c = (await exe.run({ x: ones, step: [1] }))['y']!;
    const other = (await (await masks(8)).run({ x: ones, step: [0] }))['y']!;
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
    expect([...a]).not.toEqual([...other]);
    for (const v of a) expect([0, 1 / 0.75]).toContainEqual(expect.closeTo(v, 6));
    const kept = a.filter((v) => v > 0).length / a.length;
    expect(kept).toBeGreaterThan(0.6);
    expect(kept).toBeLessThan(0.9);
  });

  test('eval mode is the identity; bad rates are refused', () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    expect(dropout(x, 0.5, 'eval')).toBe(x);
    expect(g.inputs.has('step')).toBe(false);
    expect(() => dropout(x, 1, 'train')).toThrow(/rate must be in \[0, 1\), got 1/);
  });
});

describe('batchNorm', () => {
  const X = [1, 10, 2, 20, 3, 60, 6, 30]; // [4, 2]

  test('train mode normalizes with batch stats and updates the running stats', async () => {
    const g = new Graph();
    const x = g.input('x', [4, 2]);
    g.output('y', batchNorm(x, 'train', { name: 'bn', eps: 0 }));
    const exe = await compile(g, { target: 'interp' });
    const y = (await exe.step({ x: X }))['y']!;
    for (const c of [0, 1]) {
      const col = [0, 1, 2, 3].map((r) => y[2 * r + c]!);
      expect(col.reduce((s, v) => s + v, 0) / 4).toBeCloseTo(0, 5);
      expect(col.reduce((s, v) => s + v * v, 0) / 4).toBeCloseTo(1, 4);
    }
    // mean [3, 30]; unbiased var [14/3, 1400/3]; running ← 0.9·old + 0.1·batch.
    expect(exe.params['bn.runningMean']![0]).toBeCloseTo(0.3, 5);
    expect(exe.params['bn.runningMean']![1]).toBeCloseTo(3, 5);
    expect(exe.params['bn.runningVar']![0]).toBeCloseTo(0.9 + 1.4 / 3, 5);
    expect(exe.params['bn.runningVar']![1]).toBeCloseTo(0.9 + 140 / 3, 4);
    expect(g.params.get('bn.runningMean')!.trainable).toBe(false);
  });

  test('eval mode uses the running stats', () => {
    const g = new Graph();
    const x = g.input('x', [4, 2]);
    g.output('y', batchNorm(x, 'eval', { name: 'bn', eps: 0 }));
    expect(g.updates.size).toBe(0);
    const params = {
      'bn.gamma': [2, 1],
      'bn.beta': [0, 1],
      'bn.runningMean': [1, 10],
      'bn.runningVar': [4, 100],
    };
    const y = interpret(g, { x: X }, params).outputs['y']!;
    expect(y[0]).toBeCloseTo(0, 12); // 2·(1 − 1)/2
    expect(y[3]).toBeCloseTo(2, 12); // (20 − 10)/10 + 1
  });

  test('channels of [N, C, H, W]', () => {
    const g = new Graph();
    const y = batchNorm(g.input('x', [2, 3, 4, 4]), 'train');
    expect(y.shape).toEqual([2, 3, 4, 4]);
    expect(g.params.get('batchnorm1.gamma')!.node.shape).toEqual([3]);
  });
});

describe('other layers', () => {
  test('layer norm has gamma/beta and normalizes the last axis', () => {
    const g = new Graph();
    g.output('y', layerNorm(g.input('x', [2, 4])));
    expect([...g.params.keys()]).toEqual(['layernorm1.gamma', 'layernorm1.beta']);
    const y = interpret(g, { x: [1, 2, 3, 4, -1, 0, 0, 1] }).outputs['y']!;
    expect(y.slice(0, 4).reduce((s, v) => s + v, 0)).toBeCloseTo(0, 10);
  });

  test('conv2d + max pool + flatten + dense shapes', () => {
    const g = new Graph();
    const x = g.input('x', [2, 1, 8, 8]);
    const c = conv2d(x, 4, 3, { padding: 1, activation: 'relu' });
    expect(c.shape).toEqual([2, 4, 8, 8]);
    expect(g.params.get('conv1.W')!.node.shape).toEqual([4, 1, 3, 3]);
    const y = dense(flatten(maxPool(c)), 10);
    expect(y.shape).toEqual([2, 10]);
  });

  test('embedding gathers table rows by i32 ids', () => {
    const g = new Graph();
    const ids = g.input('ids', [3], 'i32');
    g.output('e', embedding(ids, 4, 2, { name: 'emb' }));
    const table = [0, 1, 10, 11, 20, 21, 30, 31];
    expect([...interpret(g, { ids: [3, 0, 2] }, { 'emb.E': table }).outputs['e']!]).toEqual([
      30, 31, 0, 1, 20, 21,
    ]);
    expect(() => embedding(g.input('f', [3]), 4, 2)).toThrow(/ids must be i32, got f32\[3\]/);
  });

  test('residual adds the skip connection; shape changes are refused naming both', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    expect(residual(x, (h) => dense(h, 3)).shape).toEqual([2, 3]);
    expect(() => residual(x, (h) => dense(h, 4), 'block')).toThrow(
      /residual 'block': the block maps \[2,3\] to \[2,4\].*operand shapes \[2,3\], \[2,4\]/,
    );
  });
});

describe('initializers', () => {
  const std = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  test('fans and scales', () => {
    expect(fansOf([20, 30])).toEqual({ fanIn: 20, fanOut: 30 });
    expect(fansOf([8, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 200 });
    const f = { fanIn: 200, fanOut: 300 };
    expect(std(materialize(xavierNormal(f), [200, 300], 1))).toBeCloseTo(Math.sqrt(2 / 500), 2);
    expect(std(materialize(heNormal(f), [200, 300], 1))).toBeCloseTo(Math.sqrt(2 / 200), 2);
    const u = materialize(xavierUniform(f), [200, 300], 1);
    expect(Math.max(...u)).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    expect(std(u)).toBeCloseTo(Math.sqrt(2 / 500), 2);
  });
});
