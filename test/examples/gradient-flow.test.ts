// examples/gradient-flow, small: the gradient norms the compiled step outputs show the vanishing
// gradient — through ten sigmoid layers the first layer's gradient is orders of magnitude
// smaller than the last one's, while with ReLU (He init) it is not.
import { expect, test } from 'vitest';
import { trainVariant } from '../../examples/gradient-flow/train.ts';

const o = { train: 64, test: 100, epochs: 1, lr: 0.05, seed: 0 };

test('sigmoid vanishes, ReLU does not: ‖∂L/∂layer1.W‖ / ‖∂L/∂layer10.W‖ at the first step', async () => {
  const ratio = async (v: 'sigmoid' | 'relu') => {
    const r = await trainVariant(v, o);
    expect(r.records.length).toBe(2); // 64 digits, batch 32
    const n = r.records[0]!.norms;
    expect(Object.keys(n)).toContain('layer10.W');
    return n['layer1.W']! / n['layer10.W']!;
  };
  expect(await ratio('sigmoid')).toBeLessThan(1e-3);
  expect(await ratio('relu')).toBeGreaterThan(1e-1);
});
