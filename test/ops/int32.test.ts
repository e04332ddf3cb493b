// int32 semantics on every target: arithmetic wraps modulo 2³² (as PyTorch and JAX), also inside a
// fused loop before a comparison or a cast; f32 → i32 truncates and saturates (NaN → 0); i32
// outputs come back as Int32Array. Expected values are computed here with int32 JavaScript.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { allTargets } from '../support/targets.ts';

const A = [2147483647, -2147483648, 65536, 3, -7, 1 << 30, 123456789, 0];
const Bv = [1, -1, 65536, -3, 5, 4, 987654321, -2147483648];
// 2³¹ is the first f32 past the i32 range; −2147483904 the first f32 below it.
const F = [3e9, -3e9, NaN, 2.7, -2.7, 2147483520, Infinity, -Infinity, 2 ** 31, -2147483904, -0];

function intGraph(): Graph {
  const g = new Graph('int32');
  const a = g.input('a', [8], 'i32');
  const b = g.input('b', [8], 'i32');
  g.output('add', B.add(a, b));
  g.output('sub', B.sub(b, a));
  g.output('mul', B.mul(a, b));
  g.output('neg', B.neg(a));
  g.output('abs', B.abs(a));
  // The sum wraps before it is compared or cast, inside one fused loop.
  g.output('gt', B.cast(B.gt(B.add(a, b), B.mul(a, 0)), 'i32'));
  g.output('asF32', B.cast(B.add(a, b), 'f32'));
  g.output('square', B.cast(B.mul(B.mul(a, b), B.mul(a, b)), 'f32'));
  g.output('sum', B.sum(B.add(a, b)));
  return g;
}

const i32 = (xs: number[]) => Array.from(Int32Array.from(xs));
const WANT: Record<string, number[]> = {
  add: i32(A.map((a, i) => a + Bv[i]!)),
  sub: i32(A.map((a, i) => Bv[i]! - a)),
  mul: A.map((a, i) => Math.imul(a, Bv[i]!)),
  neg: i32(A.map((a) => -a)),
  abs: i32(A.map((a) => Math.abs(a))),
  gt: A.map((a, i) => (((a + Bv[i]!) | 0) > 0 ? 1 : 0)),
  asF32: A.map((a, i) => Math.fround((a + Bv[i]!) | 0)),
  square: A.map((a, i) => {
    const p = Math.imul(a, Bv[i]!);
    return Math.fround(Math.imul(p, p));
  }),
  sum: [A.reduce((s, a, i) => (s + a + Bv[i]!) | 0, 0)],
};

const feeds = { a: Int32Array.from(A), b: Int32Array.from(Bv) };
const floats = Float32Array.from(F);
const TARGETS = await allTargets('ops/int32');

describe('int32 arithmetic wraps', () => {
  test('the interpreter wraps every i32 result (mul exactly, as int32)', () => {
    const g = intGraph();
    const out = interpret(g, feeds).outputs;
    for (const [name, want] of Object.entries(WANT)) {
      // The interpreter's f32 is float64: round it as the targets store it.
      const got = g.outputs.get(name)!.dtype === 'f32' ? out[name]!.map(Math.fround) : out[name]!;
      expect([...got], name).toEqual(want);
    }
  });

  for (const t of TARGETS) {
    test.skipIf(t.skip)(`${t.name}: the same bits, and i32 outputs as Int32Array`, async () => {
      const exe = await compile(intGraph(), t);
      try {
        const out = await exe.run(feeds);
        for (const [name, want] of Object.entries(WANT))
          expect([...out[name]!], name).toEqual(want);
        expect(out['add']).toBeInstanceOf(Int32Array);
        expect(out['asF32']).toBeInstanceOf(Float32Array);
      } finally {
        exe.dispose();
      }
    });
  }
});

describe('f32 → i32 truncates toward zero and saturates', () => {
  const g = new Graph('cast');
  g.output('y', B.cast(g.input('f', [F.length]), 'i32'));
  const want = [2147483647, -2147483648, 0, 2, -2, 2147483520, 2147483647, -2147483648];
  want.push(2147483647, -2147483648, 0);

  // WGSL's own i32(x) clamps to 2147483520 and leaves NaN to the driver: the generated WGSL
  // saturates explicitly, so every target gives the same bits.
  for (const t of TARGETS) {
    test.skipIf(t.skip)(`${t.name}: out of range clamps, NaN is 0`, async () => {
      const exe = await compile(g, t);
      try {
        expect([...(await exe.run({ f: floats }))['y']!]).toEqual(want);
      } finally {
        exe.dispose();
      }
    });
  }
});

describe('an i32 sum wraps before its fused epilogue reads it', () => {
  // Row sums 2³² (wraps to 0), 2³¹ + 4 (wraps negative) and −1; each sum has one reader, so the
  // epilogue runs in the reduction kernel on the unstored accumulator.
  const rows = [
    [2147483647, 2147483647, 5, -3],
    [2147483647, 1, 2, 2],
    [2147483647, 1, -2147483648, -1],
  ];
  const want = rows.map((r) => r.reduce((s, v) => (s + v) | 0, 0));
  const g = new Graph('int32_epilogue');
  // Three inputs with the same values: three sums, so none is shared (and stored).
  const [a, b, c] = ['a', 'b', 'c'].map((name) => g.input(name, [3, 4], 'i32'));
  g.output('positive', B.cast(B.gt(B.cast(B.sum(a!, [1]), 'f32'), 1), 'f32'));
  g.output('asF32', B.cast(B.sum(b!, [1]), 'f32'));
  g.output('negative', B.cast(B.lt(B.sum(c!, [1]), 0), 'i32'));
  const values = Int32Array.from(rows.flat());
  const feeds = { a: values, b: values, c: values };
  const expected = {
    positive: want.map((s) => (s > 1 ? 1 : 0)),
    asF32: want.map(Math.fround),
    negative: want.map((s) => (s < 0 ? 1 : 0)),
  };

  for (const t of TARGETS) {
    test.skipIf(t.skip)(`${t.name}: the epilogue sees int32 sums`, async () => {
      const exe = await compile(g, t);
      try {
        const out = await exe.run(feeds);
        for (const [name, w] of Object.entries(expected)) {
          const got =
            t.name === 'interp' && name === 'asF32' ? out[name]!.map(Math.fround) : out[name]!;
          expect([...got], name).toEqual(w);
        }
      } finally {
        exe.dispose();
      }
    });
  }
});

describe('an i32 scatter_add adds in int32', () => {
  // Wasm added the i32 bits as f32 lanes, and the WGSL kernel did not compile (f32 += i32).
  const M = 2147483647;
  const u = [M, M, 5, 1, M, 1, -7, M, 3, 3, 3, 3, 1, 2, 3, 4, M, M, M, M, -M, 0, 0, 0];
  const idx = [0, 0, 1, 2, 2, 1];
  const want = new Array<number>(12).fill(0);
  idx.forEach((r, j) => {
    for (let q = 0; q < 4; q++) want[r * 4 + q] = (want[r * 4 + q]! + u[j * 4 + q]!) | 0;
  });
  const g = new Graph('int32_scatter');
  g.output('s', B.scatterAdd(g.input('u', [6, 4], 'i32'), g.input('i', [6], 'i32'), 0, 3));
  const feeds = { u: Int32Array.from(u), i: Int32Array.from(idx) };

  for (const t of TARGETS) {
    test.skipIf(t.skip)(`${t.name}: wrapped sums per row`, async () => {
      const exe = await compile(g, t);
      try {
        expect([...(await exe.run(feeds))['s']!]).toEqual(want);
      } finally {
        exe.dispose();
      }
    });
  }
});
