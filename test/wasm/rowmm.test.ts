// Row-form matmuls (small M or small K, codegen/wasm/rowmm.ts) on every view layout, odd sizes
// (n past one 32-column chunk, not a multiple of 4; m = 1; k below and above the 4-step groups),
// inputs with zero columns, all-zero rows, dense rows and −0: two SGD steps of a two-layer net
// against the interpreter and against the scalar TS kernels; the zero skip itself; and the seed
// network's kernels taking the row form with the SGD update as a four-lane epilogue.
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { emitTs } from '../../src/pipeline.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { epilogueMap, rowForm } from '../../codegen/wasm/rowmm.ts';
import { vectorRefusal } from '../../codegen/wasm/vector.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';
import { seedMlpStep } from '../codegen/models.ts';

type Dims = readonly [m: number, k: number, n: number];
/** The first layer's product from the input X (m×k, in some layout) and the param W (k×n). */
type Layout = (g: Graph, d: Dims) => Node;

const W = (g: Graph, shape: number[]) => g.param('W', shape, init.normal(0.5));

const LAYOUTS: Record<string, Layout> = {
  plain: (g, [m, k, n]) => B.matmul(g.input('X', [m, k]), W(g, [k, n])),
  'A transposed': (g, [m, k, n]) => B.matmul(B.transpose(g.input('X', [k, m])), W(g, [k, n])),
  'B transposed': (g, [m, k, n]) => B.matmul(g.input('X', [m, k]), B.transpose(W(g, [n, k]))),
  'both transposed': (g, [m, k, n]) =>
    B.matmul(B.transpose(g.input('X', [k, m])), B.transpose(W(g, [n, k]))),
  batched: (g, [m, k, n]) => B.matmul(g.input('X', [2, m, k]), W(g, [2, k, n])),
  'broadcast batch': (g, [m, k, n]) =>
    B.matmul(g.input('X', [2, m, k]), B.broadcastTo(W(g, [k, n]), [2, k, n])),
  // Batch offsets with a div and a rem: X's two batch axes swapped, W broadcast along the first.
  'two batch axes, permuted and broadcast': (g, [m, k, n]) =>
    B.matmul(
      B.permute(g.input('X', [3, 2, m, k]), [1, 0, 2, 3]),
      B.broadcastTo(W(g, [3, k, n]), [2, 3, k, n]),
    ),
  sliced: (g, [m, k, n]) =>
    B.matmul(
      B.slice(g.input('X', [m + 2, k + 3]), [
        [1, m + 1],
        [2, k + 2],
      ]),
      W(g, [k, n]),
    ),
};

/**
 * relu(layout + b) · V, mean of squares, SGD on W, b and V: the forward x·W, then V's gradient
 * hᵀ·δ and δ·Vᵀ on the ReLU's zeros, and W's gradient Xᵀ·δ on the input's zeros.
 */
function trainGraph(layout: Layout, d: Dims): Graph {
  const g = new Graph('rowmm');
  const h = B.relu(B.add(layout(g, d), g.param('b', [d[2]], init.normal(0.5))));
  const out = B.matmul(h, g.param('V', [d[2], 3], init.normal(0.5)));
  const loss = g.output('loss', B.div(B.sum(B.mul(out, out)), out.size));
  g.output('h', h);
  const ps = [...g.params.values()].map((p) => p.node);
  grad(loss, ps).forEach((dp, i) => g.update(ps[i]!.label!, B.sub(ps[i]!, B.mul(dp, 0.05))));
  return g;
}

/** Sparse inputs like MNIST's: zero columns, all-zero rows, −0s, runs of zeros, dense rows. */
function sparse(size: number, rowLen: number, seed: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const [row, col] = [Math.floor(i / rowLen), i % rowLen];
    const v = Math.sin(i * 1.7 + seed);
    let value = (i * 7 + seed) % 5 < 3 ? (i % 2 ? -0 : 0) : v; // zeros, −0s and runs
    if (row % 4 === 3) value = v; // a dense row
    if (row % 4 === 1) value = 0; // an all-zero row
    if (col % 9 < 5) value = 0; // columns zero in every row (border pixels)
    x[i] = value;
  }
  return x;
}

const inputOf = (p: Program) => (buf: string) =>
  p.buffers.some((b) => b.name === buf && b.role === 'input');

const SHAPES: readonly Dims[] = [
  [5, 37, 35], // small M: k groups of 4 and a tail of 1, n = one chunk and a 3-column tail
  [37, 6, 29], // small K: steps unrolled; n < one chunk, not a multiple of 4
  [1, 70, 70], // a single row, two chunks and a 6-column tail
];

describe('row-form SIMD matmul', () => {
  for (const d of SHAPES) {
    for (const [name, layout] of Object.entries(LAYOUTS)) {
      it(`${name}, ${d.join('×')}: interpreter and TS agree over two SGD steps`, async () => {
        const g = trainGraph(layout, d);
        const { program } = await emitTs(g, { format: false });
        const matmuls = kernelsOf(program).filter((k): k is MatmulKernel => k.kind === 'matmul');
        const isInput = inputOf(program);
        expect(matmuls.filter((k) => rowForm(k, isInput)).length).toBeGreaterThanOrEqual(2);
        const wasm = renderWasm(program, 'all')!;
        for (const k of matmuls) expect(wasm.kernels.has(k.name)).toBe(true);
        const size = g.inputs.get('X')!.size;
        const rowLen = g.inputs.get('X')!.shape.at(-1)!;
        const feeds = (s: number) => ({ X: sparse(size, rowLen, s) });
        expect(await diffAgainstInterp(g, feeds, 2, { wasm: 'all' })).toBeNull();
        const [simd, ts] = await Promise.all([
          compile(g, { wasm: 'all' }),
          compile(g, { wasm: 'off' }),
        ]);
        for (let s = 0; s < 2; s++) {
          const [a, b] = await Promise.all([simd.step(feeds(s)), ts.step(feeds(s))]);
          expect(mismatch(a['h']!, b['h']!)).toBeNull();
        }
        for (const p of Object.keys(ts.params))
          expect(mismatch(simd.params[p]!, ts.params[p]!), p).toBeNull();
      });
    }
  }

  it('skips a zero of A as the TS kernel does: an ∞ in that row of B does not reach C', async () => {
    for (const k of [6, 37]) {
      const g = new Graph('skip');
      const [x, w] = [g.input('x', [3, k]), g.input('w', [k, 9])];
      g.output('c', B.matmul(x, w));
      const xs = Float32Array.from({ length: 3 * k }, (_, i) => (i % k === 2 ? 0 : 1 + (i % 3)));
      const ws = Float32Array.from({ length: k * 9 }, (_, i) => (i >= 18 && i < 27 ? Infinity : i));
      const [simd, ts] = await Promise.all([
        compile(g, { wasm: 'all' }),
        compile(g, { wasm: 'off' }),
      ]);
      const [a, b] = await Promise.all([simd.run({ x: xs, w: ws }), ts.run({ x: xs, w: ws })]);
      expect([...a['c']!].every(Number.isFinite)).toBe(true);
      expect(mismatch(a['c']!, b['c']!)).toBeNull();
    }
  });

  it("runs the seed network's matmuls in row form, the SGD updates as four-lane epilogues", async () => {
    const { program } = await emitTs(seedMlpStep().g, { format: false });
    const matmuls = kernelsOf(program).filter((k): k is MatmulKernel => k.kind === 'matmul');
    expect(matmuls).toHaveLength(5);
    const isInput = inputOf(program);
    // All but a1·W2 (10×30×10, dense A): x·W1, δ·W2ᵀ and both weight gradients (K = batch).
    const packed = matmuls.filter((k) => !rowForm(k, isInput));
    expect(packed.map((k) => [k.m, k.k, k.n])).toEqual([[10, 30, 10]]);
    const dtype = (b: string) => program.buffers.find((x) => x.name === b)?.dtype ?? 'f32';
    const updates = matmuls.filter((k) =>
      k.stores.some((s) => [...program.updates.values()].includes(s.buf)),
    );
    expect(updates.map((k) => k.name)).toHaveLength(2); // ∂L/∂W1 and ∂L/∂W2
    for (const k of updates) expect(vectorRefusal(epilogueMap(k, '#C'), dtype)).toBeNull();
  });
});
