// conv2d/conv1d with dilation and groups, transposed convolution and group norm: against direct
// loops written from PyTorch's definitions, their shape errors, then on TypeScript and WGSL.
import { describe, expect, test } from 'vitest';
import { groupNorm } from '../../src/builder/composite.ts';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../src/builder/conv.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { expectClose } from '../ops/run.ts';

interface Opts {
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
  outputPadding?: number;
}

const values = (n: number, k: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.9 + k) * 1.5);

/** y[n,o,i,j] = Σ x[n, g·cg + c, i·s − p + a·d, j·s − p + b·d] · w[o, c, a, b], o in group g. */
function convRef(x: Float64Array, xs: number[], w: Float64Array, ws: number[], o: Opts) {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [O, CG, KH, KW] = ws as [number, number, number, number];
  const out = (n: number, k: number) =>
    Math.floor((n + 2 * o.padding - o.dilation * (k - 1) - 1) / o.stride) + 1;
  const [OH, OW] = [out(H, KH), out(W, KW)];
  const y = new Array<number>(N * O * OH * OW).fill(0);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++) {
      const g = Math.floor(oc / (O / o.groups));
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++)
          for (let c = 0; c < CG; c++)
            for (let a = 0; a < KH; a++)
              for (let b = 0; b < KW; b++) {
                const [h, v] = [
                  i * o.stride - o.padding + a * o.dilation,
                  j * o.stride - o.padding + b * o.dilation,
                ];
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                const xv = x[((n * C + g * CG + c) * H + h) * W + v]!;
                y[((n * O + oc) * OH + i) * OW + j]! += xv * w[((oc * CG + c) * KH + a) * KW + b]!;
              }
    }
  return { y, shape: [N, O, OH, OW] };
}

/** Transposed: each x[n, ci, h, v] adds x·w[ci, co, a, b] at (h·s − p + a·d, v·s − p + b·d). */
function transposeRef(x: Float64Array, xs: number[], w: Float64Array, ws: number[], o: Opts) {
  const [N, CI, H, W] = xs as [number, number, number, number];
  const [, COG, KH, KW] = ws as [number, number, number, number];
  const size = (n: number, k: number) =>
    (n - 1) * o.stride - 2 * o.padding + o.dilation * (k - 1) + (o.outputPadding ?? 0) + 1;
  const [OH, OW, CO] = [size(H, KH), size(W, KW), COG * o.groups];
  const y = new Array<number>(N * CO * OH * OW).fill(0);
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < CI; ci++) {
      const g = Math.floor(ci / (CI / o.groups));
      for (let h = 0; h < H; h++)
        for (let v = 0; v < W; v++)
          for (let co = 0; co < COG; co++)
            for (let a = 0; a < KH; a++)
              for (let b = 0; b < KW; b++) {
                const [i, j] = [
                  h * o.stride - o.padding + a * o.dilation,
                  v * o.stride - o.padding + b * o.dilation,
                ];
                if (i < 0 || i >= OH || j < 0 || j >= OW) continue;
                const wv = w[((ci * COG + co) * KH + a) * KW + b]!;
                y[((n * CO + g * COG + co) * OH + i) * OW + j]! +=
                  x[((n * CI + ci) * H + h) * W + v]! * wv;
              }
    }
  return { y, shape: [N, CO, OH, OW] };
}

function runConv(
  f: typeof conv2d | typeof convTranspose2d,
  xs: number[],
  ws: number[],
  o: Opts,
): { shape: readonly number[]; y: Float64Array } {
  const g = new Graph('c');
  const y = g.output('y', f(g.input('x', xs), g.input('w', ws), undefined, o));
  const feeds = {
    x: values(
      xs.reduce((p, d) => p * d),
      0,
    ),
    w: values(
      ws.reduce((p, d) => p * d),
      1,
    ),
  };
  return { shape: y.shape, y: interpret(g, feeds).outputs['y']! };
}

const CONV: [number[], number[], Opts][] = [
  [[1, 2, 7, 6], [3, 2, 3, 3], { stride: 1, padding: 0, dilation: 2, groups: 1 }],
  [[2, 4, 6, 6], [6, 2, 3, 2], { stride: 2, padding: 1, dilation: 1, groups: 2 }],
  [[1, 6, 8, 7], [6, 1, 2, 3], { stride: 2, padding: 2, dilation: 3, groups: 6 }],
];

const TRANSPOSED: [number[], number[], Opts][] = [
  [[1, 2, 3, 4], [2, 3, 3, 3], { stride: 1, padding: 0, dilation: 1, groups: 1 }],
  [[2, 2, 3, 3], [2, 2, 3, 2], { stride: 2, padding: 1, dilation: 1, groups: 1, outputPadding: 1 }],
  [[1, 4, 3, 2], [4, 1, 2, 3], { stride: 3, padding: 2, dilation: 2, groups: 2, outputPadding: 2 }],
];

describe('conv2d with dilation and groups', () => {
  test.each(CONV)('x%j w%j %j', (xs, ws, o) => {
    const got = runConv(conv2d, xs, ws, o);
    const want = convRef(
      values(
        xs.reduce((p, d) => p * d),
        0,
      ),
      xs,
      values(
        ws.reduce((p, d) => p * d),
        1,
      ),
      ws,
      o,
    );
    expect(got.shape).toEqual(want.shape);
    expectClose(got.y, want.y, 1e-12);
  });

  test('conv1d passes dilation and groups through', () => {
    const g = new Graph('c1');
    const o = { stride: 2, padding: 1, dilation: 2, groups: 2 };
    const y = g.output('y', conv1d(g.input('x', [1, 4, 9]), g.input('w', [2, 2, 3]), undefined, o));
    const feeds = { x: values(36, 0), w: values(12, 1) };
    // conv1d pads the length only: compare with a 2-D reference on the padded row.
    const xp = new Float64Array(4 * 11);
    for (let c = 0; c < 4; c++)
      for (let t = 0; t < 9; t++) xp[c * 11 + t + 1] = feeds.x[c * 9 + t]!;
    const ref = convRef(xp, [1, 4, 1, 11], feeds.w, [2, 2, 1, 3], { ...o, padding: 0 });
    expect(y.shape).toEqual([1, 2, ref.shape[3]]);
    expectClose(interpret(g, feeds).outputs['y']!, ref.y, 1e-12);
  });

  test('errors name the op, the groups and the shapes', () => {
    const g = new Graph('e');
    const x = g.input('x', [1, 4, 5, 5]);
    expect(() => conv2d(x, g.input('w', [3, 2, 2, 2]), undefined, { groups: 2 })).toThrow(
      /conv2d: groups 2 must divide the input channels 4 and the output channels 3; operand shapes \[1,4,5,5\], \[3,2,2,2\]/,
    );
    expect(() => conv2d(x, g.input('w2', [4, 1, 2, 2]), undefined, { groups: 2 })).toThrow(
      /conv2d: expects x \[N,C,H,W\] and w \[O,C\/groups,KH,KW\]: groups 2 need 2 input channels/,
    );
    expect(() =>
      convTranspose2d(x, g.input('w3', [4, 1, 2, 2]), undefined, { stride: 2, outputPadding: 2 }),
    ).toThrow(/convTranspose2d: outputPadding 2 must be below the stride or the dilation/);
  });
});

describe('transposed convolution', () => {
  test.each(TRANSPOSED)('x%j w%j %j', (xs, ws, o) => {
    const got = runConv(convTranspose2d, xs, ws, o);
    const want = transposeRef(
      values(
        xs.reduce((p, d) => p * d),
        0,
      ),
      xs,
      values(
        ws.reduce((p, d) => p * d),
        1,
      ),
      ws,
      o,
    );
    expect(got.shape).toEqual(want.shape);
    expectClose(got.y, want.y, 1e-12);
  });

  test('convTranspose1d is the 2-D one on a height-1 image', () => {
    const g = new Graph('t1');
    const o = { stride: 2, padding: 1, dilation: 1, groups: 1, outputPadding: 1 };
    const y = g.output(
      'y',
      convTranspose1d(g.input('x', [2, 3, 4]), g.input('w', [3, 2, 3]), undefined, o),
    );
    const feeds = { x: values(24, 0), w: values(18, 1) };
    const ref = transposeRef(feeds.x, [2, 3, 1, 4], feeds.w, [3, 2, 1, 3], {
      ...o,
      padding: 0,
      outputPadding: 0,
    });
    // Height 1: no padding or output padding on it; the length's padding crops ref's columns.
    const L = (4 - 1) * 2 - 2 + 2 + 1 + 1;
    expect(y.shape).toEqual([2, 2, L]);
    const full = ref.shape[3]!;
    const want: number[] = [];
    for (let r = 0; r < 4; r++)
      for (let t = 0; t < L; t++) want.push(t + 1 < full ? ref.y[r * full + t + 1]! : 0);
    expectClose(interpret(g, feeds).outputs['y']!, want, 1e-12);
  });
});

describe('groupNorm', () => {
  test('normalizes each group of channels over all positions, then gamma and beta per channel', () => {
    const g = new Graph('gn');
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 0.1, 0.2, 0.3];
    const y = groupNorm(g.input('x', [2, 4, 3]), 2, g.input('g', [4]), g.input('b', [4]), 1e-5);
    g.output('y', y);
    const x = values(24, 0);
    const out = interpret(g, { x, g: gamma, b: beta }).outputs['y']!;
    for (let n = 0; n < 2; n++)
      for (let grp = 0; grp < 2; grp++) {
        const at = (k: number) => n * 12 + grp * 6 + k;
        const vs = Array.from({ length: 6 }, (_, k) => x[at(k)]!);
        const m = vs.reduce((a, v) => a + v) / 6;
        const v = vs.reduce((a, u) => a + (u - m) ** 2, 0) / 6;
        for (let k = 0; k < 6; k++) {
          const c = grp * 2 + Math.floor(k / 3);
          const want = ((vs[k]! - m) / Math.sqrt(v + 1e-5)) * gamma[c]! + beta[c]!;
          expect(out[at(k)]).toBeCloseTo(want, 10);
        }
      }
  });

  test('groups must divide the channels', () => {
    const g = new Graph('gn');
    expect(() => groupNorm(g.input('x', [2, 6, 3]), 4)).toThrow(
      /groupNorm: expects x \[N,C,...\] with C divisible by groups 4; operand shapes \[2,6,3\]/,
    );
  });
});

describe('conv options on every target', async () => {
  const adapter = await hasAdapter();
  const targets = adapter ? (['ts', 'wgsl'] as const) : (['ts'] as const);
  for (const target of targets) {
    test(`${target} matches the interpreter`, async () => {
      const g = new Graph('conv_targets');
      const x = g.input('x', [2, 4, 6, 6]);
      const w = g.input('w', [4, 2, 3, 3]);
      g.output('dil', conv2d(x, w, undefined, { dilation: 2, groups: 2, padding: 1 }));
      g.output(
        'tr',
        convTranspose2d(x, w, undefined, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      );
      g.output('gn', groupNorm(x, 2));
      const feeds = { x: Float32Array.from(values(288, 0)), w: Float32Array.from(values(72, 1)) };
      const ref = interpret(g, feeds);
      const exe = await compile(g, { target });
      try {
        const out = await exe.run(feeds);
        for (const [name, want] of Object.entries(ref.outputs)) expectClose(out[name]!, want, 2e-5);
      } finally {
        exe.dispose();
      }
    });
  }
});
