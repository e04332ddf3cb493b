// conv2d, maxPool2d and avgPool2d against naive direct loops written here (stride, padding,
// both the reshape path stride == k and the window path stride < k).
import { describe, expect, test } from 'vitest';
import { avgPool2d, conv2d, maxPool2d } from '../../src/builder/conv.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import { topo } from '../../src/ir/traverse.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { expectClose, run } from '../ops/run.ts';

function seeded(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Math.round((rand() * 4 - 2) * 100) / 100);
}

type Dims4 = [number, number, number, number];

/** Direct convolution: out[n,o,i,j] = b[o] + Σ x[n,c,i·s+p−pad, j·s+q−pad] · w[o,c,p,q]. */
function convDirect(
  x: number[],
  xs: Dims4,
  w: number[],
  ws: Dims4,
  b: number[] | null,
  s: number,
  pad: number,
) {
  const [N, C, H, W] = xs;
  const [O, , KH, KW] = ws;
  const OH = Math.floor((H + 2 * pad - KH) / s) + 1;
  const OW = Math.floor((W + 2 * pad - KW) / s) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let acc = b ? b[o]! : 0;
          for (let c = 0; c < C; c++)
            for (let p = 0; p < KH; p++)
              for (let q = 0; q < KW; q++) {
                const [r, t] = [i * s + p - pad, j * s + q - pad];
                if (r < 0 || r >= H || t < 0 || t >= W) continue;
                acc += x[((n * C + c) * H + r) * W + t]! * w[((o * C + c) * KH + p) * KW + q]!;
              }
          out.push(acc);
        }
  return { shape: [N, O, OH, OW], values: out };
}

describe('conv2d', () => {
  test('hand case: 3×3 input, 2×2 kernel of ones', () => {
    const r = run((g) => conv2d(g.input('x', [1, 1, 3, 3]), g.input('w', [1, 1, 2, 2])), {
      x: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      w: [1, 1, 1, 1],
    });
    expect(r.shape).toEqual([1, 1, 2, 2]);
    expect(r.values).toEqual([12, 16, 24, 28]);
  });

  const cases: { xs: Dims4; ws: Dims4; stride: number; padding: number; bias: boolean }[] = [
    { xs: [2, 2, 5, 4], ws: [3, 2, 3, 2], stride: 1, padding: 0, bias: false },
    { xs: [2, 2, 5, 4], ws: [3, 2, 3, 2], stride: 2, padding: 1, bias: true },
    { xs: [1, 3, 6, 6], ws: [2, 3, 3, 3], stride: 3, padding: 2, bias: true },
    { xs: [3, 1, 4, 4], ws: [2, 1, 1, 1], stride: 1, padding: 1, bias: false },
  ];
  test.each(cases)('vs a direct loop: x $xs, w $ws, stride $stride, padding $padding', (c) => {
    const x = seeded(
      c.xs.reduce((a, b) => a * b),
      1,
    );
    const w = seeded(
      c.ws.reduce((a, b) => a * b),
      2,
    );
    const b = c.bias ? seeded(c.ws[0], 3) : null;
    const r = run(
      (g) =>
        conv2d(g.input('x', c.xs), g.input('w', c.ws), b ? g.input('b', [c.ws[0]]) : undefined, {
          stride: c.stride,
          padding: c.padding,
        }),
      b ? { x, w, b } : { x, w },
    );
    const want = convDirect(x, c.xs, w, c.ws, b, c.stride, c.padding);
    expect(r.shape).toEqual(want.shape);
    expectClose(r.values, want.values, 1e-12);
  });

  test('mismatched channels are rejected with both shapes', () => {
    const g = new Graph();
    expect(() => conv2d(g.input('x', [1, 2, 4, 4]), g.input('w', [1, 3, 2, 2]))).toThrow(
      /conv2d: expects x \[N,C,H,W\] and w \[O,C,KH,KW\]; operand shapes \[1,2,4,4\], \[1,3,2,2\]/,
    );
  });
});

/** Direct pooling over x [N,C,H,W] with a k×k window and a stride (no padding). */
function poolDirect(kind: 'max' | 'avg', x: number[], xs: Dims4, k: number, s: number) {
  const [N, C, H, W] = xs;
  const OH = Math.floor((H - k) / s) + 1;
  const OW = Math.floor((W - k) / s) + 1;
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++) {
        const win: number[] = [];
        for (let p = 0; p < k; p++)
          for (let q = 0; q < k; q++) win.push(x[(nc * H + i * s + p) * W + j * s + q]!);
        out.push(kind === 'max' ? Math.max(...win) : win.reduce((a, b) => a + b) / (k * k));
      }
  return { shape: [N, C, OH, OW], values: out };
}

describe('pooling', () => {
  const X16 = Array.from({ length: 16 }, (_, i) => i + 1);

  test('hand case: 2×2 windows over a 4×4 grid of 1..16', () => {
    const mp = run((g) => maxPool2d(g.input('x', [1, 1, 4, 4])), { x: X16 });
    expect(mp.shape).toEqual([1, 1, 2, 2]);
    expect(mp.values).toEqual([6, 8, 14, 16]);
    const ap = run((g) => avgPool2d(g.input('x', [1, 1, 4, 4])), { x: X16 });
    expect(ap.values).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  const cases: { xs: Dims4; k: number; stride: number; path: 'reshape' | 'window' }[] = [
    { xs: [2, 3, 4, 6], k: 2, stride: 2, path: 'reshape' },
    { xs: [1, 2, 6, 6], k: 3, stride: 3, path: 'reshape' },
    { xs: [2, 2, 5, 5], k: 3, stride: 1, path: 'window' },
    { xs: [1, 2, 5, 6], k: 2, stride: 1, path: 'window' },
    { xs: [1, 1, 5, 5], k: 2, stride: 2, path: 'window' }, // 5 % 2 ≠ 0: windows, not a reshape
  ];
  for (const kind of ['max', 'avg'] as const) {
    test.each(cases)(`${kind} pool vs a direct loop: x $xs, k $k, stride $stride ($path)`, (c) => {
      const x = seeded(
        c.xs.reduce((a, b) => a * b),
        5,
      );
      const g = new Graph();
      const pool = kind === 'max' ? maxPool2d : avgPool2d;
      const y = g.output('y', pool(g.input('x', c.xs), c.k, c.stride));
      const ops = new Set(topo([y]).map((n) => n.op));
      expect(ops.has('slice')).toBe(c.path === 'window');
      const want = poolDirect(kind, x, c.xs, c.k, c.stride);
      expect(y.shape).toEqual(want.shape);
      expectClose(interpret(g, { x }).outputs['y']!, want.values, 1e-12);
    });
  }
});
