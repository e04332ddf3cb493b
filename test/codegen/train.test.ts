// Hand-written training steps compiled to TypeScript against the interpreter, step after step:
// the seed 784-30-10 sigmoid MLP with SGD, and a 2-layer ReLU / softmax-CE net with Adam.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/ir/init.ts';
import { diffAgainstInterp } from './harness.ts';
import { reluAdamStep, seedMlpStep } from './models.ts';

function batch(seed: number, n: number, lo = 0, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function labels(seed: number, n: number, classes: number): Int32Array {
  const r = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * classes));
}

function oneHotRows(ls: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(ls.length * classes);
  ls.forEach((l, i) => (out[i * classes + l] = 1));
  return out;
}

describe('training steps: compiled TypeScript vs interpreter', () => {
  it('seed MLP 784-30-10, quadratic cost, SGD: 3 steps', async () => {
    const { g } = seedMlpStep();
    const feeds = (k: number) => ({
      x: batch(100 + k, 10 * 784),
      y: oneHotRows(labels(200 + k, 10, 10), 10),
    });
    expect(await diffAgainstInterp(g, feeds, 3)).toBeNull();
  });

  it('2-layer ReLU, softmax cross-entropy, Adam (inline): 4 steps', async () => {
    const { g } = reluAdamStep();
    const feeds = (k: number) => ({
      x: batch(300 + k, 8 * 16, -1, 1),
      labels: labels(400 + k, 8, 5),
      t: [k + 1],
    });
    expect(await diffAgainstInterp(g, feeds, 4)).toBeNull();
  });
});
