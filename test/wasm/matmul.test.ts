// The SIMD matmul on every operand layout the scheduler produces (plain, transposed either side,
// batched, broadcast batch, permuted, sliced), on shapes that are not multiples of the SIMD width
// or the tiles, and across K and M blocks: each trained for two SGD steps (so the backward pass's
// xᵀ·δ and δ·Wᵀ run in wasm too) against the interpreter, and against the TS kernels.
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { emitTs } from '../../src/pipeline.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';

type Dims = readonly [m: number, k: number, n: number];
type Layout = (g: Graph, d: Dims) => Node;

const P = (g: Graph, name: string, shape: number[]) => g.param(name, shape, init.normal(0.5));

/** Left operand X (a param, so δ·Wᵀ is computed) and right operand W, in each layout. */
const LAYOUTS: Record<string, Layout> = {
  plain: (g, [m, k, n]) => B.matmul(P(g, 'X', [m, k]), P(g, 'W', [k, n])),
  'A transposed': (g, [m, k, n]) => B.matmul(B.transpose(P(g, 'X', [k, m])), P(g, 'W', [k, n])),
  'B transposed': (g, [m, k, n]) => B.matmul(P(g, 'X', [m, k]), B.transpose(P(g, 'W', [n, k]))),
  'both transposed': (g, [m, k, n]) =>
    B.matmul(B.transpose(P(g, 'X', [k, m])), B.transpose(P(g, 'W', [n, k]))),
  batched: (g, [m, k, n]) => B.matmul(P(g, 'X', [3, m, k]), P(g, 'W', [3, k, n])),
  'broadcast batch': (g, [m, k, n]) =>
    B.matmul(P(g, 'X', [2, m, k]), B.broadcastTo(P(g, 'W', [k, n]), [2, k, n])),
  'permuted batch': (g, [m, k, n]) =>
    B.matmul(B.permute(P(g, 'X', [m, 2, k]), [1, 0, 2]), P(g, 'W', [2, k, n])),
  // Batch offsets with a div and a rem: X's two batch axes swapped, W broadcast along the first.
  'two batch axes': (g, [m, k, n]) =>
    B.matmul(
      B.permute(P(g, 'X', [3, 2, m, k]), [1, 0, 2, 3]),
      B.broadcastTo(P(g, 'W', [3, k, n]), [2, 3, k, n]),
    ),
  sliced: (g, [m, k, n]) =>
    B.matmul(
      B.slice(P(g, 'X', [m + 3, k + 5]), [
        [2, m + 2],
        [1, k + 1],
      ]),
      P(g, 'W', [k, n]),
    ),
};

/** relu(layout + bias) → mean of squares, with SGD updates of X, W and the bias. */
function trainGraph(layout: Layout, d: Dims): Graph {
  const g = new Graph('mm');
  const y = layout(g, d);
  const bias = g.param('bias', [d[2]], init.normal(0.1));
  const h = B.relu(B.add(y, bias));
  const loss = g.output('loss', B.div(B.sum(B.mul(h, h)), h.size));
  g.output('h', h);
  const ps = [...g.params.values()].map((p) => p.node);
  grad(loss, ps).forEach((dp, i) => g.update(ps[i]!.label!, B.sub(ps[i]!, B.mul(dp, 0.05))));
  return g;
}

const SMALL: Dims = [37, 53, 29];
/** M > the M block (120), K > the K block (512), m not a multiple of 4, n not of 8. */
const LARGE: Dims = [131, 530, 19];
/** K = 512 + 3: the last K block is shorter than the micro-kernel's unrolled step (4). */
const ODD_K: Dims = [13, 515, 17];

describe('SIMD matmul on every view layout', () => {
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    it(`${name}, ${SMALL.join('×')}: matches the interpreter over two SGD steps`, async () => {
      const g = trainGraph(layout, SMALL);
      const { program } = await emitTs(g, { format: false });
      const wasm = renderWasm(program, 'all')!;
      const matmuls = kernelsOf(program).filter((k) => k.kind === 'matmul');
      expect(matmuls.length).toBeGreaterThanOrEqual(3); // forward, δ·Wᵀ, xᵀ·δ (or their layouts)
      for (const k of matmuls) expect(wasm.kernels.has(k.name)).toBe(true);
      expect(await diffAgainstInterp(g, () => ({}), 2, { wasm: 'all' })).toBeNull();
    });
  }

  for (const name of ['plain', 'A transposed', 'B transposed']) {
    it(`${name}, ${LARGE.join('×')} (several K and M blocks): interpreter and TS agree`, async () => {
      const g = trainGraph(LAYOUTS[name]!, LARGE);
      expect(await diffAgainstInterp(g, () => ({}), 2, { wasm: 'auto' })).toBeNull();
      const [simd, ts] = await Promise.all([
        compile(g, { wasm: 'auto' }),
        compile(g, { wasm: 'off' }),
      ]);
      const [a, b] = await Promise.all([simd.step({}), ts.step({})]);
      expect(mismatch(a['h']!, b['h']!)).toBeNull();
      for (const p of Object.keys(ts.params))
        expect(mismatch(simd.params[p]!, ts.params[p]!)).toBeNull();
    });
  }

  for (const name of ['both transposed', 'two batch axes']) {
    it(`${name}, ${ODD_K.join('×')}: matches the interpreter over two SGD steps`, async () => {
      const g = trainGraph(LAYOUTS[name]!, ODD_K);
      expect(await diffAgainstInterp(g, () => ({}), 2, { wasm: 'all' })).toBeNull();
    });
  }
});
