// Matmul epilogues in f32x4 (codegen/wasm/epilogue.ts): bias + activation, a scaled and masked
// batched product (attention scores), and an SGD update fused into a weight gradient, on row
// lengths that are and are not multiples of 4, against the interpreter and the TS kernels.
import { describe, expect, it } from 'vitest';
import { epilogueRefusal } from '../../codegen/wasm/epilogue.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { emitTs } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';
import { nn } from '../../src/index.ts';

const wave = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));

/** x·W + b through tanh: the bias and the activation in the epilogue. */
function dense(m: number, k: number, n: number): Graph {
  const g = new Graph('dense');
  const x = g.input('x', [m, k]);
  const w = g.input('w', [k, n]);
  const b = g.input('b', [n]);
  g.output('y', B.tanh(B.add(B.matmul(x, w), b)));
  return g;
}

/** Causal attention scores: (q·kᵀ)·scale where j ≤ i, else −1e9, batched over heads. */
function scores(h: number, t: number, d: number): Graph {
  const g = new Graph('scores');
  const q = g.input('q', [h, t, d]);
  const k = g.input('k', [h, d, t]);
  const mask = B.le(B.iota(g, [t, t], 1), B.iota(g, [t, t], 0));
  const s = B.mul(B.matmul(q, k), 0.25);
  g.output('s', B.where(B.broadcastTo(mask, [h, t, t]), s, -1e9));
  return g;
}

async function epilogues(g: Graph): Promise<MatmulKernel[]> {
  const { program } = await emitTs(g, { format: false });
  const place = (buf: string) => {
    const b = program.buffers.find((x) => x.name === buf)!;
    return { at: 0, size: b.size, dtype: b.dtype };
  };
  return kernelsOf(program).filter(
    (k): k is MatmulKernel => k.kind === 'matmul' && epilogueRefusal(k, place) === null,
  );
}

async function sameAsTs(g: Graph, feeds: Record<string, Float32Array>): Promise<void> {
  const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
  const [a, b] = await Promise.all([w.run(feeds), s.run(feeds)]);
  for (const name of Object.keys(b)) expect(mismatch(a[name]!, b[name]!), name).toBeNull();
}

describe('f32x4 matmul epilogues', () => {
  for (const [m, k, n] of [
    [5, 7, 13],
    [9, 3, 4],
    [3, 16, 6],
  ] as const) {
    it(`bias + tanh, ${m}×${k}·${k}×${n}`, async () => {
      const g = dense(m, k, n);
      expect(await epilogues(g)).toHaveLength(1);
      const feeds = { x: wave(m * k, 0.7), w: wave(k * n, 1.3), b: wave(n, 2.1) };
      expect(await diffAgainstInterp(g, () => feeds, 1, { wasm: 'all' })).toBeNull();
      await sameAsTs(g, feeds);
    });
  }

  for (const t of [7, 8]) {
    it(`masked, scaled attention scores, 3 heads × ${t}×${t}`, async () => {
      const g = scores(3, t, 5);
      expect(await epilogues(g)).toHaveLength(1);
      const feeds = { q: wave(3 * t * 5, 0.3), k: wave(3 * 5 * t, 0.9) };
      expect(await diffAgainstInterp(g, () => feeds, 1, { wasm: 'all' })).toBeNull();
      await sameAsTs(g, feeds);
    });
  }

  it('an SGD update fused into the weight gradient trains like the interpreter', async () => {
    const g = nn.trainStep({
      name: 'lin',
      input: { shape: [6, 5], dtype: 'f32' },
      target: { shape: [6, 7], dtype: 'f32' },
      build: (x) => nn.linear(x, 7, { name: 'fc' }),
      loss: nn.mse,
      optimizer: nn.sgd(),
    });
    expect((await epilogues(g)).length).toBeGreaterThanOrEqual(1);
    const batch = (s: number) => ({ x: wave(30, 0.4 + s), y: wave(42, 0.8 + s), lr: [0.1] });
    expect(await diffAgainstInterp(g, batch, 3, { wasm: 'all' })).toBeNull();
  });
});
