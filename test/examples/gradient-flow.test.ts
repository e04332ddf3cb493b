// examples/gradient-flow, small: the gradient norms the compiled step outputs show the vanishing
// gradient — through ten sigmoid layers the first layer's gradient is orders of magnitude
// smaller than the last one's, while with ReLU (He init) it is not.
import { expect, test } from 'vitest';
import { deepNet } from '../../examples/gradient-flow/deep.ts';
import { trainVariant } from '../../examples/gradient-flow/train.ts';
import { initParams, interpret } from '../../src/interp/interpret.ts';
import { nn } from '../../src/node/index.ts';

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

test('the residual blocks start at He/9: the stream grows ~4× in RMS over the blocks, not ~25×', () => {
  const { train } = nn.loadMnistIdx({ train: 32, validation: 0, test: 1 });
  const x = train.images.subarray(0, 32 * nn.MNIST_PIXELS);
  const growth = (branch?: nn.Initializer) => {
    const g = deepNet('residual', 'train', 32, branch);
    const byLabel = (l: string) => g.nodes.find((n) => n.label === l)!;
    const [first, last] = [byLabel('layer1.a'), byLabel('layer10.out')];
    const feeds = { x, y: new Int32Array(32), lr: [0] };
    const ev = interpret(g, feeds, initParams(g, 0), [first, last]);
    const rms = (v: ArrayLike<number>) =>
      Math.sqrt(Array.from(v).reduce((s, e) => s + e * e, 0) / v.length);
    return rms(ev.value(last)) / rms(ev.value(first));
  };
  const [scaled, xavier] = [growth(), growth(nn.xavierUniform)];
  expect(scaled).toBeGreaterThan(1);
  expect(scaled).toBeLessThan(6);
  expect(xavier).toBeGreaterThan(4 * scaled); // the lab's former init
});
