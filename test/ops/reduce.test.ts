// Reference values for sum and max over various axes, with and without keepdims.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { run } from './run.ts';

const X24 = Array.from({ length: 24 }, (_, i) => i); // x[i,j,k] = 12i + 4j + k, shape [2,3,4]
const sum24 = (axes?: number | number[], keepdims = false) =>
  run((g) => B.sum(g.input('x', [2, 3, 4]), axes, keepdims), { x: X24 });

describe('sum', () => {
  test('over all axes gives a scalar', () => {
    const r = sum24();
    expect(r.shape).toEqual([]);
    expect(r.values).toEqual([276]);
  });

  test('over each single axis', () => {
    expect(sum24(0).shape).toEqual([3, 4]);
    expect(sum24(0).values).toEqual([12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]);
    expect(sum24(1).shape).toEqual([2, 4]);
    expect(sum24(1).values).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(sum24(2).values).toEqual([6, 22, 38, 54, 70, 86]);
  });

  test('negative axes and axis sets', () => {
    expect(sum24(-1).values).toEqual([6, 22, 38, 54, 70, 86]);
    const r = sum24([2, 0]);
    expect(r.shape).toEqual([3]);
    expect(r.values).toEqual([60, 92, 124]);
  });

  test('keepdims keeps size-1 axes', () => {
    const r = sum24(1, true);
    expect(r.shape).toEqual([2, 1, 4]);
    expect(r.values).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(sum24([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(sum24(undefined, true).shape).toEqual([1, 1, 1]);
  });

  test('an empty axis list is the identity', () => {
    const r = sum24([]);
    expect(r.shape).toEqual([2, 3, 4]);
    expect(r.values).toEqual(X24);
  });
});

describe('max', () => {
  // Row 1 is all negative: the fold must start from −∞, not 0.
  const M = [3, -1, 7, -5, -2, -9];
  const max = (axes?: number | number[], keepdims = false) =>
    run((g) => B.max(g.input('x', [2, 3]), axes, keepdims), { x: M });

  test('over rows, columns and everything', () => {
    expect(max(1).values).toEqual([7, -2]);
    expect(max(0).values).toEqual([3, -1, 7]);
    expect(max().values).toEqual([7]);
  });

  test('keepdims', () => {
    const r = max(-1, true);
    expect(r.shape).toEqual([2, 1]);
    expect(r.values).toEqual([7, -2]);
  });

  test('on a 3-D input over the middle axis', () => {
    const r = run((g) => B.max(g.input('x', [2, 2, 2]), 1), { x: [1, 8, 5, 2, -3, -4, -6, -1] });
    expect(r.shape).toEqual([2, 2]);
    expect(r.values).toEqual([5, 8, -3, -1]);
  });
});

test('reducing an i32 tensor keeps i32', () => {
  const r = run((g) => B.sum(g.input('i', [3], 'i32')), { i: [1, 2, 3] });
  expect(r.dtype).toBe('i32');
  expect(r.values).toEqual([6]);
});

describe('i32 reductions on every target', async () => {
  const { compile } = await import('../../src/compile.ts');
  const { Graph } = await import('../../src/ir/graph.ts');
  const { interpret } = await import('../../src/interp/interpret.ts');
  const { hasAdapter } = await import('../../src/runtime/webgpu.ts');
  const adapter = await hasAdapter();
  // Sums past 2^24 (where float32 rounds), brought back near 0 so float32 outputs are exact; a
  // long row (past the WGSL tree threshold) and an epilogue that casts the i32 sum to f32.
  const big = 2 ** 24 + 1;
  function graph() {
    const g = new Graph('isum');
    const n = g.input('n', [3, 700], 'i32');
    const s = B.sum(n, [1]);
    const base = g.input('base', [3], 'i32');
    g.output('s', B.sub(s, base));
    g.output('half', B.mul(B.cast(B.sub(s, big), 'f32'), 0.5));
    g.output('m', B.sub(B.max(n, [1]), base));
    return g;
  }
  const n = Int32Array.from({ length: 2100 }, (_, k) => (k % 700 === 0 ? big : (k % 5) - 2));
  const feeds = { n, base: Int32Array.from([big, big, big]) };
  const cases = [
    { target: 'ts', wasm: 'all' },
    { target: 'ts', wasm: 'off' },
    ...(adapter ? [{ target: 'wgsl' } as const] : []),
  ] as const;
  for (const opts of cases) {
    test(`${JSON.stringify(opts)}: exact, as the interpreter`, async () => {
      const g = graph();
      const ref = interpret(g, feeds).outputs;
      expect(Array.from(ref['m']!)).toEqual([0, 0, 0]);
      const rowSum = (r: number) => n.subarray(r * 700, r * 700 + 700).reduce((a, v) => a + v, 0);
      expect(Array.from(ref['s']!)).toEqual([0, 1, 2].map((r) => rowSum(r) - big));
      const exe = await compile(g, opts);
      try {
        const out = await exe.run(feeds);
        for (const [k, want] of Object.entries(ref)) {
          expect(Array.from(out[k]!), k).toEqual(Array.from(want));
        }
      } finally {
        exe.dispose();
      }
    });
  }
});
