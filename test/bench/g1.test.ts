// The G1 benchmark's implementations compute the same model: on a tiny G1 (same init, same
// batches) gradc's TS step and the jax-js peer give the same loss at every step, and gradc's
// KV-cache decode gives the full-forward tokens. Correctness only, never timings (tfjs's
// gradients do not load under vitest; its G1 is checked by the bench's own loss column).
import { describe, expect, test } from 'vitest';
import { gradcG1, gradcG1Decode } from '../../bench/g1-gradc.ts';
import { jaxG1 } from '../../bench/g1-jaxjs.ts';
import { G1, g1Data } from '../../bench/g1-model.ts';
import { jaxPeer } from '../../bench/peers/jaxjs.ts';

const tiny = { ...G1, layers: 2, dModel: 16, heads: 2, context: 8, batch: 2 };
const run = { warmup: 1, steps: 3, decodeTokens: 6 };

describe('G1 benchmark (tiny)', () => {
  const data = g1Data(tiny, run.warmup + run.steps);

  test('gradc-ts and jax-js-wasm train the same model: equal losses at every step', async () => {
    const ours = await gradcG1(data, run, 'ts');
    const peer = jaxPeer('wasm');
    expect(await peer.setup()).toBeUndefined();
    const theirs = await jaxG1(data, run);
    expect(ours.losses.length).toBe(4);
    expect(ours.losses[0]).toBeCloseTo(Math.log(data.vocab), 1); // N(0, 0.02) embeddings: near uniform
    ours.losses.forEach((l, i) => expect(theirs.losses[i], `step ${i}`).toBeCloseTo(l, 4));
    // AdamW moved the params: the loss on the next batches is not the initial loss again.
    expect(new Set(ours.losses.map((l) => l.toFixed(4))).size).toBe(4);
    expect(ours.kernels).toBeGreaterThan(0);
  });

  test('KV-cache decode gives the same greedy tokens as a full forward per token', async () => {
    const d = await gradcG1Decode(data, run, 'ts');
    expect(d.same).toBe(true);
  });
});
