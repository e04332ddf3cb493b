// Reductions in f32x4 (codegen/wasm/vreduce.ts): 'row' along the last reduced axis and 'col'
// across the last output axis, on odd shapes (vector part and tails), through views (a
// transpose, a broadcast), with epilogues (scalar, and lane math on four outputs at a time),
// against the interpreter and the TS kernels, and special values (NaN, ±∞) as the TS kernels
// give them.
import { describe, expect, it } from 'vitest';
import { reduceLanes } from '../../codegen/wasm/vreduce.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { emitTs } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { ReduceKernel } from '../../src/schedule/kinds/reduce.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';

interface Case {
  readonly mode: 'row' | 'col';
  readonly build: (x: Node, c: Node) => Node;
}

const CASES: Record<string, Case> = {
  'row sum with an epilogue (mean of squares)': {
    mode: 'row',
    build: (x) => B.div(B.sum(B.mul(x, x), -1), 7),
  },
  'row max of exp(x + bias)': { mode: 'row', build: (x, c) => B.max(B.exp(B.add(x, c)), -1) },
  // lane math: the row's last n mod 4 elements are a partial vector, the other lanes summing 0
  'row sum of log(1 + x²)': { mode: 'row', build: (x) => B.sum(B.log(B.add(B.mul(x, x), 1)), -1) },
  // along a transposed view's rows, the outputs are contiguous: 'col' loads without gathering
  'sum of a transposed view': { mode: 'col', build: (x) => B.sum(B.transpose(x), -1) },
  'column sum (a bias gradient)': { mode: 'col', build: (x) => B.sum(B.tanh(x), 0) },
  'column max': { mode: 'col', build: (x, c) => B.max(B.mul(x, c), 0) },
  // lane math in the epilogue: four outputs at a time (vepilogue.ts), the last n mod 4 partial
  'row log-sum-exp (log per output)': { mode: 'row', build: (x) => B.log(B.sum(B.exp(x), -1)) },
  'row log-sum-exp, keepdims (outputs along the axis before)': {
    mode: 'row',
    build: (x) => B.log(B.sum(B.exp(x), -1, true)),
  },
  'row max, tanh epilogue': { mode: 'row', build: (x) => B.tanh(B.max(x, -1)) },
  'column sum, log1p epilogue': { mode: 'col', build: (x) => B.log1p(B.sum(B.mul(x, x), 0)) },
  'column max, atan epilogue with a load': {
    mode: 'col',
    build: (x, c) => B.atan(B.add(B.max(x, 0), c)),
  },
};

function graph(r: number, c: number, name: string): Graph {
  const g = new Graph('red');
  const x = g.input('x', [r, c]);
  const bias = g.input('c', [c]);
  g.output('z', CASES[name]!.build(x, bias));
  return g;
}

const feeds =
  (r: number, c: number, special = false) =>
  () => {
    const x = Float32Array.from({ length: r * c }, (_, i) => Math.sin(i * 0.61) * 3);
    if (special) x.set([NaN, 1, 2, 3, 4, Infinity, -Infinity], c + 1);
    return { x, c: Float32Array.from({ length: c }, (_, i) => Math.cos(i) * 0.5) };
  };

describe('f32x4 reductions', () => {
  for (const [name, kase] of Object.entries(CASES)) {
    it(`${name}: runs as '${kase.mode}'`, async () => {
      const { program } = await emitTs(graph(9, 13, name), { format: false });
      const buffer = (b: string) => program.buffers.find((x) => x.name === b)!;
      const reds = kernelsOf(program).filter((k): k is ReduceKernel => k.kind === 'reduce');
      expect(reds.map((k) => reduceLanes(k, buffer))).toContain(kase.mode);
    });
    for (const [r, c] of [
      [9, 13],
      [5, 4],
      [6, 11],
      [17, 7],
    ] as const) {
      it(`${name}, ${r}×${c}: interpreter and TS agree`, async () => {
        const g = graph(r, c, name);
        expect(await diffAgainstInterp(g, feeds(r, c), 1, { wasm: 'all' })).toBeNull();
        const [w, s] = await Promise.all([
          compile(g, { wasm: 'all' }),
          compile(g, { wasm: 'off' }),
        ]);
        const [a, b] = await Promise.all([w.run(feeds(r, c)()), s.run(feeds(r, c)())]);
        expect(mismatch(a['z']!, b['z']!)).toBeNull();
      });
    }
    it(`${name}: NaN and ±∞ as the TS kernels`, async () => {
      const g = graph(6, 9, name);
      const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
      const [a, b] = await Promise.all([w.run(feeds(6, 9, true)()), s.run(feeds(6, 9, true)())]);
      const [za, zb] = [a['z']!, b['z']!];
      for (let i = 0; i < zb.length; i++) {
        const [x, y] = [za[i]!, zb[i]!];
        if (Number.isNaN(y) || !Number.isFinite(y))
          expect(Object.is(x, y), `element ${i}`).toBe(true);
        else expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(y)));
      }
    });
  }
});
