// The kernel list of a G1-shaped GPT training step (4 heads, multi-head attention, AdamW): the
// attention matmuls read the head split [B,T,H,dh] → [B,H,T,dh] of the q/k/v projections and
// its transposes straight from the projections' buffers, so no kernel copies a head split, and
// the projections' bias adds run in the matmuls' epilogues. Also with multi-query K/V.
import { expect, test } from 'vitest';
import * as C from '../../src/builder/composite.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import { adamw } from '../../src/nn/optim.ts';
import { gpt } from '../../src/nn/transformer.ts';
import { trainStep } from '../../src/nn/train.ts';
import { toProgram } from '../../src/pipeline.ts';
import type { Kernel } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';

const [batch, context, dModel, heads] = [2, 8, 16, 4];

function g1Like(): Graph {
  return trainStep({
    name: 'g1_like',
    input: { shape: [batch, context], dtype: 'i32' },
    target: { shape: [batch, context], dtype: 'i32' },
    build: (x: Node) => gpt(x, { vocab: 11, context, dModel, heads, layers: 2, tieWeights: true }),
    loss: sparseCrossEntropy,
    optimizer: adamw({ weightDecay: 0.01 }),
  });
}

/** A kernel that stores a per-head tensor [B,H,T,dh] or its transpose: a head-split copy. */
const splitsHeads = (k: Kernel) =>
  k.kind === 'map' && k.shape.length === 4 && k.shape[1] === heads && k.ops.includes('permute');

test('a GPT step has no head-split copy kernels; the batched matmuls read the projections', () => {
  const p = toProgram(g1Like());
  const ks = kernelsOf(p);
  expect(ks.filter(splitsHeads).map((k) => k.name)).toEqual([]);
  const attention = ks.flatMap((k) =>
    k.kind === 'matmul' && k.batch === batch * heads ? [k] : [],
  );
  // Per block: q·kᵀ and p·v forward, and four backward products; 2 blocks.
  expect(attention.length).toBe(12);
  // The head split reads a [B·T, H·dh] projection as (b, h) → b·T·D + h·dh: two batch axes.
  const split = [
    { size: batch, stride: context * dModel },
    { size: heads, stride: dModel / heads },
  ];
  const twoAxis = attention.flatMap((k) => [k.a, k.b]).filter((v) => v.batch.length === 2);
  expect(twoAxis.length).toBeGreaterThanOrEqual(8);
  for (const v of twoAxis) expect(v.batch).toEqual(split);
  // Every projection's bias add is in its matmul's epilogue: no map kernel adds it afterwards.
  const projections = ks.filter((k) => k.kind === 'matmul' && /attn\.[qkv]\.z_matmul/.test(k.name));
  expect(projections.length).toBe(6);
  for (const k of projections) expect(k.ops).toContain('add');
  expect(p.stats.fusionNotes.filter((n) => n.includes('not a strided view'))).not.toContainEqual(
    expect.stringMatching(/permute/),
  );
});

test('multi-query attention reads the one K/V head with a stride-0 batch axis', () => {
  const g = new Graph('mqa');
  const q = g.input('q', [batch, heads, context, 4]);
  const k = g.input('k', [batch, 1, context, 4]);
  const v = g.input('v', [batch, 1, context, 4]);
  const scores = B.matmul(q, B.transpose(k)); // k broadcast to every head
  g.output('out', B.matmul(C.softmax(scores, -1), v));
  const ks = kernelsOf(toProgram(g));
  expect(ks.filter((x) => x.kind === 'map' && x.ops.every((o) => o === 'broadcast'))).toEqual([]);
  const mm = ks.flatMap((x) => (x.kind === 'matmul' ? [x] : []));
  expect(mm.length).toBe(2);
  expect(mm[0]!.b.batch).toEqual([
    { size: batch, stride: context * 4 },
    { size: heads, stride: 0 },
  ]);
  expect(mm[1]!.b.batch).toEqual(mm[0]!.b.batch);
});
