// End-to-end training on the interpreter: linear regression recovers its generating parameters,
// a sigmoid + BCE classifier learns two moons, eval graphs share params, fit logs and plots.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { Node } from '../../src/ir/node.ts';
import { mulberry32, normal, normalSampler } from '../../src/ir/init.ts';
import { dataset } from '../../src/nn/data/dataset.ts';
import type { EpochStats } from '../../src/nn/fit.ts';
import { evaluate, fit } from '../../src/nn/fit.ts';
import { fixed } from '../../src/nn/init.ts';
import { dense } from '../../src/nn/layers.ts';
import { binaryCrossEntropy, l2Penalty, quadraticCost } from '../../src/nn/losses.ts';
import { adam, sgd } from '../../src/nn/optim.ts';
import { plotHistory } from '../../src/nn/plot.ts';
import { copyParams, evalStep, trainStep, weightsOf } from '../../src/nn/train.ts';

/** y = 3x − 2 + small noise. */
function line(n: number) {
  const rand = mulberry32(5);
  const gauss = normalSampler(rand);
  const x = Float32Array.from({ length: n }, () => 2 * rand() - 1);
  const y = x.map((v) => 3 * v - 2 + 0.01 * gauss());
  return dataset(x, y, [1], [1]);
}

/** Two interleaved half circles with a little noise; label 1 for the lower moon. */
function twoMoons(n: number, seed: number) {
  const rand = mulberry32(seed);
  const gauss = normalSampler(rand);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * rand();
    const lower = i % 2;
    x[2 * i] = lower ? 1 - Math.cos(t) : Math.cos(t);
    x[2 * i + 1] = (lower ? 0.5 - Math.sin(t) : Math.sin(t)) + 0.08 * gauss();
    x[2 * i] += 0.08 * gauss();
    y[i] = lower;
  }
  return dataset(x, y, [2], [1]);
}

const silent = { out: null } as const;

describe('training', () => {
  test('linear regression with quadratic cost and SGD recovers w = 3, b = −2', async () => {
    const g = trainStep({
      input: { shape: [16, 1] },
      target: { shape: [16, 1] },
      build: (x) =>
        dense(x, 1, { name: 'lin', init: fixed(normal(1)), biasInit: fixed(normal(1)) }),
      loss: quadraticCost,
      optimizer: sgd(),
    });
    expect([...g.inputs.keys()]).toEqual(['x', 'y', 'lr']);
    expect([...g.updates.keys()].sort()).toEqual(['lin.W', 'lin.b']);
    const exe = await compile(g, { target: 'interp', seed: 3 });
    const hist = await fit(exe, line(64), { epochs: 40, lrSchedule: 0.3, ...silent });
    expect(exe.params['lin.W']![0]).toBeCloseTo(3, 1);
    expect(exe.params['lin.b']![0]).toBeCloseTo(-2, 1);
    expect(hist[39]!.loss).toBeLessThan(1e-3);
    expect(hist[39]!.loss).toBeLessThan(hist[0]!.loss);
  });

  test('two moons: sigmoid MLP + binary cross-entropy reaches ≥ 95% accuracy', async () => {
    const model = {
      input: { shape: [50, 2] },
      build: (x: Node) => dense(dense(x, 16, { activation: 'tanh' }), 1, { activation: 'sigmoid' }),
    };
    const train = trainStep({
      ...model,
      target: { shape: [50, 1] },
      loss: binaryCrossEntropy,
      optimizer: adam(),
      penalty: (g) => l2Penalty(weightsOf(g), 1e-5),
    });
    const exe = await compile(train, { target: 'interp', seed: 1 });
    const infer = await compile(evalStep({ ...model, input: { shape: [64, 2] } }), {
      target: 'interp',
    });
    const test = twoMoons(200, 99);
    const hist = await fit(exe, twoMoons(200, 1), {
      epochs: 60,
      lrSchedule: 0.05,
      validation: { executable: infer, data: test },
      ...silent,
    });
    expect(hist.at(-1)!.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(hist.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.95);
    copyParams(exe, infer);
    expect((await evaluate(infer, test)).accuracy).toBe(hist.at(-1)!.valAccuracy);
  });
});

describe('fit plumbing', () => {
  const model = {
    input: { shape: [4, 1] },
    target: { shape: [4, 1] },
    build: (x: Node) => dense(x, 1, { name: 'lin' }),
    loss: quadraticCost,
    optimizer: sgd(),
  };

  test('a plain log line per epoch off a TTY; a redrawn bar on a TTY; progress callbacks', async () => {
    const exe = await compile(trainStep(model), { target: 'interp' });
    const lines: string[] = [];
    const progress: number[] = [];
    await fit(exe, line(8), {
      epochs: 2,
      lrSchedule: (s) => 0.1 / (1 + s),
      out: { write: (s) => lines.push(s) },
      onProgress: (p) => progress.push(p.step),
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss \d+\.\d{4} {2}acc .*samples\/s .*s\n$/);
    expect(progress).toEqual([1, 2, 3, 4]);
    const tty: string[] = [];
    await fit(exe, line(8), {
      epochs: 1,
      lrSchedule: 0.1,
      out: { write: (s) => tty.push(s), isTTY: true },
    });
    expect(tty[0]).toMatch(/^\repoch 1\/1 \[.*\] \d\/2 {2}loss/);
    expect(tty.at(-1)).toMatch(/^\repoch 1\/1 {2}loss.*\n$/);
  });

  test('data that does not fit the graph is refused naming both shapes', async () => {
    const exe = await compile(trainStep(model), { target: 'interp' });
    const bad = dataset(new Float32Array(8), new Float32Array(4), [2], [1]);
    await expect(fit(exe, bad, { epochs: 1, lrSchedule: 0.1, ...silent })).rejects.toThrow(
      /input 'x' \[4,1\] takes samples of shape \[1\], but the data's are \[2\]/,
    );
    await expect(fit(exe, line(8), { epochs: 1, batchSize: 3, ...silent })).rejects.toThrow(
      /batchSize 3 differs from the graph's batch 4/,
    );
  });

  test('copyParams refuses a shape mismatch naming both shapes', async () => {
    const a = await compile(trainStep(model), { target: 'interp' });
    const wide = evalStep({ input: { shape: [4, 2] }, build: (x) => dense(x, 1, { name: 'lin' }) });
    const b = await compile(wide, { target: 'interp' });
    expect(() => copyParams(a, b)).toThrow(
      /'lin.W' has shape \[1,1\] in the source but \[2,1\] in the target/,
    );
  });

  test('plot writes a standalone SVG with both curves', () => {
    const hist: EpochStats[] = [1, 2, 3].map((e) => ({
      epoch: e,
      loss: 1 / e,
      accuracy: 0.5 + e / 10,
      valAccuracy: 0.4 + e / 10,
      seconds: 1,
      samplesPerSec: 100,
    }));
    const svg = plotHistory(hist, 'demo <mlp>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain('demo &lt;mlp&gt;: loss');
    expect(svg).not.toContain('NaN');
  });
});
