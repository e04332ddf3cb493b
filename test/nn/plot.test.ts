// The training-curve SVGs: rounded ("nice") y ticks that cover the data, epoch labels at round
// numbers, and legends in rows above the frame, so they never cover a curve.
import { describe, expect, test } from 'vitest';
import type { EpochStats } from '../../src/nn/fit.ts';
import { niceStep, plotGradNorms, plotHistory, yTicks } from '../../src/nn/plot.ts';

const history = (n: number): EpochStats[] =>
  Array.from({ length: n }, (_, i) => ({
    epoch: i + 1,
    loss: 2.3 / (i + 1) + 0.0137,
    accuracy: 0.31 + (0.6 * i) / n,
    valAccuracy: 0.29 + (0.58 * i) / n,
    seconds: 1,
    samplesPerSec: 100,
  }));

/** Numbers of an attribute on every element of a tag. */
const attrs = (svg: string, tag: string, attr: string) =>
  [...svg.matchAll(new RegExp(`<${tag} [^>]*${attr}="([-\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

describe('plots', () => {
  test('ticks are 1, 2 or 5 × 10^k apart and cover the data', () => {
    const want = [0.1, 0.2, 5, 50, 0.0005];
    [0.13, 0.24, 3, 42, 0.0006].forEach((raw, i) => {
      expect(niceStep(raw) / want[i]!).toBeCloseTo(1, 12);
    });
    const values = [0.0213, 0.4871, 0.33];
    const ticks = yTicks([{ name: 'a', color: '#000', values }]);
    const step = ticks[1]! - ticks[0]!;
    expect(step).toBeCloseTo(0.1, 12);
    expect(ticks[0]).toBeLessThanOrEqual(Math.min(...values));
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(Math.max(...values));
    for (const t of ticks) expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-9);
    expect(yTicks([{ name: 'flat', color: '#000', values: [3, 3] }]).length).toBeGreaterThan(1);
  });

  test('tick labels are round numbers; epochs are labelled at 1 and multiples of 5', () => {
    const svg = plotHistory(history(30), 'run');
    const labels = [...svg.matchAll(/text-anchor="end" dominant-baseline="middle">([^<]+)</g)].map(
      (m) => m[1]!,
    );
    expect(labels).toContain('0.5');
    expect(labels).toContain('30%');
    for (const l of labels) expect(l).toMatch(/^-?\d+(\.\d)?%?$/);
    const epochs = [...svg.matchAll(/y="276" text-anchor="middle">(\d+)</g)].map((m) => m[1]);
    expect(epochs.slice(0, 7)).toEqual(['1', '5', '10', '15', '20', '25', '30']);
  });

  test('legends sit above the frame and every curve point inside it, even with many series', () => {
    const names = ['dense1.W', 'dense1.b', 'dense2.W', 'dense2.b', 'conv.W', 'conv.b', 'out.W'];
    const records = Array.from({ length: 12 }, (_, s) => ({
      step: s,
      norms: Object.fromEntries(names.map((n, k) => [n, 10 ** (k - 3) / (s + 1)])),
    }));
    for (const svg of [plotGradNorms(records, 'norms'), plotHistory(history(8), 'h')]) {
      const frames = [
        ...svg.matchAll(
          /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/g,
        ),
      ];
      expect(frames.length).toBeGreaterThan(0);
      const top = Number(frames[0]![2]);
      const bottom = top + Number(frames[0]![4]);
      const legend = [...svg.matchAll(/<g class="legend">([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
      expect(legend.length).toBeGreaterThan(0);
      for (const y of legend.flatMap((g) => attrs(g, 'text', 'y'))) expect(y).toBeLessThan(top);
      for (const m of svg.matchAll(/<polyline points="([^"]+)"/g)) {
        for (const pt of m[1]!.split(' ')) {
          const y = Number(pt.split(',')[1]);
          expect(y).toBeGreaterThanOrEqual(top - 1e-9);
          expect(y).toBeLessThanOrEqual(bottom + 1e-9);
        }
      }
    }
    const norms = plotGradNorms(records, 'norms');
    for (const n of names) expect(norms).toContain(`>${n}</text>`);
  });
});
