// Gradient statistics: trainStep({ gradStats }) outputs each param's gradient norm from inside the
// compiled step; they equal the norms of the interpreter's float64 gradients, fit() hands them to
// onProgress, and plotGradNorms draws one curve per param.
import { describe, expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import { compile, nn } from '../../src/index.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { mulberry32 } from '../../src/ir/init.ts';

const spec = (gradStats: boolean) => ({
  name: 'stats_mlp',
  input: { shape: [8, 6] },
  target: { shape: [8, 3] },
  build: (x: Parameters<typeof nn.dense>[0]) =>
    nn.dense(nn.dense(x, 5, { name: 'h', activation: 'tanh' }), 3, { name: 'out' }),
  loss: nn.mse,
  optimizer: nn.sgd(),
  clipNorm: 0.05, // clipping changes the update, not the reported (raw) norms
  gradStats,
});

const rand = mulberry32(7);
const x = Float32Array.from({ length: 48 }, () => rand() * 2 - 1);
const y = Float32Array.from({ length: 24 }, () => rand());

describe('gradient norms as outputs of the step', () => {
  test('equal the norms of the interpreter’s gradients, per param', async () => {
    const g = nn.trainStep(spec(true));
    const names = [...g.outputs.keys()].filter((k) => k.startsWith(nn.GRAD_NORM_PREFIX));
    expect(names).toEqual(['grad_norm.h.W', 'grad_norm.h.b', 'grad_norm.out.W', 'grad_norm.out.b']);
    const exe = await compile(g, { target: 'ts', seed: 3 });
    const params = Object.fromEntries(Object.entries(exe.params).map(([k, v]) => [k, [...v]]));
    const out = await exe.step({ x, y, lr: [0.1] });
    const norms = nn.gradNormsOf(out);

    // The oracle: float64 gradients of the same loss at the same params.
    const ref = nn.trainStep(spec(false));
    const trainable = [...ref.params.values()].filter((p) => p.trainable);
    const grads = grad(
      ref.outputs.get('loss')!,
      trainable.map((p) => p.node),
    );
    const ev = interpret(ref, { x, y, lr: [0.1] }, params, grads);
    trainable.forEach((p, i) => {
      const v = ev.value(grads[i]!);
      const norm = Math.sqrt(v.reduce((s, e) => s + e * e, 0));
      expect(norm).toBeGreaterThan(0.05); // above the clip: the raw norm is what is reported
      expect(norms[p.name]).toBeCloseTo(norm, 4);
    });
  });

  test('fit() passes them to onProgress, and plotGradNorms draws a curve per param', async () => {
    const exe = await compile(nn.trainStep(spec(true)), { target: 'ts', seed: 1 });
    const data = nn.dataset(
      Float32Array.from({ length: 48 * 4 }, () => rand() - 0.5),
      Float32Array.from({ length: 24 * 4 }, () => rand()),
      [6],
      [3],
    );
    const records: nn.GradNormRecord[] = [];
    await nn.fit(exe, data, {
      epochs: 2,
      lrSchedule: 0.1,
      out: null,
      onProgress: (p) => records.push({ step: p.step, norms: p.gradNorms! }),
    });
    expect(records.length).toBe(8); // 4 batches × 2 epochs
    expect(Object.keys(records[0]!.norms)).toEqual(['h.W', 'h.b', 'out.W', 'out.b']);
    expect(records.every((r) => Object.values(r.norms).every((v) => v > 0))).toBe(true);
    const svg = nn.plotGradNorms(records, 'stats_mlp');
    expect(svg.match(/<polyline /g)?.length).toBe(4);
    expect(svg).toContain('>out.W</text>');
  });
});
