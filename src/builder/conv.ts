// conv1d/conv2d (stride, padding, dilation, groups), their transposes, and 2-D pooling as
// composites: im2col from strided slices (views), then one matmul (batched over groups), so the
// weight gradient is a single matmul and every backend reuses its matmul kernel.
import { opError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import * as B from './ops.ts';
import { flip } from './shuffle.ts';

type Pair = readonly [number, number];

/** Options of conv2d (a number applies to both spatial axes, a pair is [height, width]). */
export interface Conv2dOptions {
  readonly stride?: number | Pair;
  readonly padding?: number | Pair;
  /** Spacing between kernel taps (PyTorch's dilation; 1 is a dense kernel). */
  readonly dilation?: number | Pair;
  /** Channel groups: input and output channels split into this many independent convolutions. */
  readonly groups?: number;
}

/** Options of conv1d, as Conv2dOptions on the one spatial axis. */
export interface Conv1dOptions {
  readonly stride?: number;
  readonly padding?: number;
  readonly dilation?: number;
  readonly groups?: number;
}

/** The options with every field resolved to per-axis pairs. */
interface ConvSpec {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}

const pair = (v: number | Pair | undefined, d: number): Pair =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v;

function convSpec(o: Conv2dOptions): ConvSpec {
  return {
    stride: pair(o.stride, 1),
    padding: pair(o.padding, 0),
    dilation: pair(o.dilation, 1),
    groups: o.groups ?? 1,
  };
}

/**
 * Window views of x [N, C, H, W]: one strided slice per kernel tap (tap i starts at i·dilation),
 * stacked on axis 2.
 */
function windows(x: Node, k: Pair, s: ConvSpec, out: Pair): Node {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const parts: Node[] = [];
  for (let i = 0; i < k[0]; i++) {
    for (let j = 0; j < k[1]; j++) {
      const [y0, x0] = [i * s.dilation[0], j * s.dilation[1]];
      const v = B.slice(x, [
        [0, n],
        [0, c],
        [y0, y0 + s.stride[0] * (out[0] - 1) + 1, s.stride[0]],
        [x0, x0 + s.stride[1] * (out[1] - 1) + 1, s.stride[1]],
      ]);
      parts.push(B.reshape(v, [n, c, 1, out[0], out[1]]));
    }
  }
  return B.concat(parts, 2);
}

function outSize(op: string, x: Node, k: number, s: ConvSpec, axis: 0 | 1): number {
  const span = s.dilation[axis] * (k - 1) + 1;
  const o = Math.floor((x.shape[axis + 2]! + 2 * s.padding[axis] - span) / s.stride[axis]) + 1;
  if (o < 1)
    throw opError('shape', op, `window ${k} does not fit the input`, [x.shape], captureSite());
  return o;
}

/** Shape checks; `usage` is the expected layout ("expects x [N,C,H,W] and w […]"). */
function checkConv(op: string, x: Node, w: Node, s: ConvSpec, usage: string): void {
  const fail = (detail: string) => opError('shape', op, detail, [x.shape, w.shape], captureSite());
  if (x.rank !== 4 || w.rank !== 4) throw fail(usage);
  const g = s.groups;
  const [c, o] = [x.shape[1]!, w.shape[0]!];
  if (!(Number.isInteger(g) && g >= 1) || c % g !== 0 || o % g !== 0) {
    throw fail(`groups ${g} must divide the input channels ${c} and the output channels ${o}`);
  }
  if (w.shape[1] !== c / g) {
    throw fail(g === 1 ? usage : `${usage}: groups ${g} need ${c / g} input channels in w`);
  }
  if ([...s.stride, ...s.dilation].some((v) => !(Number.isInteger(v) && v >= 1))) {
    throw fail('stride and dilation must be positive integers');
  }
}

/** x [N, C, H, W] ⊛ w [O, C/groups, KH, KW] (+ bias [O]) → [N, O, OH, OW]. */
export function conv2d(x: Node, w: Node, bias?: Node, opts: Conv2dOptions = {}): Node {
  const s = convSpec(opts);
  const w1 = s.groups === 1 ? 'C' : 'C/groups';
  return convCore('conv2d', x, w, bias, s, `expects x [N,C,H,W] and w [O,${w1},KH,KW]`);
}

/** conv2d on resolved options; `op` and `usage` name the user's call in errors. */
function convCore(
  op: string,
  x: Node,
  w: Node,
  bias: Node | undefined,
  s: ConvSpec,
  usage: string,
): Node {
  checkConv(op, x, w, s, usage);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const [o, , kh, kw] = w.shape as [number, number, number, number];
  const oh = outSize(op, x, kh, s, 0);
  const ow = outSize(op, x, kw, s, 1);
  const [ph, pw] = s.padding;
  const xp = B.pad(x, [
    [0, 0],
    [0, 0],
    [ph, ph],
    [pw, pw],
  ]);
  const g = s.groups;
  const taps = kh * kw;
  const cols = B.reshape(B.permute(windows(xp, [kh, kw], s, [oh, ow]), [1, 2, 0, 3, 4]), [
    ...(g > 1 ? [g] : []),
    (c / g) * taps,
    n * oh * ow,
  ]);
  // Groups are a batch of independent matmuls: channels split as [groups, per group].
  const wm = B.reshape(w, [...(g > 1 ? [g, o / g] : [o]), (c / g) * taps]);
  const out = B.matmul(wm, cols);
  let y = B.permute(B.reshape(out, [o, n, oh, ow]), [1, 0, 2, 3]);
  if (bias) y = B.add(y, B.reshape(bias, [o, 1, 1]));
  return y;
}

function pool(op: 'max' | 'avg', x: Node, k: number, stride: number): Node {
  const name = `${op}_pool2d`;
  if (x.rank !== 4) throw opError('shape', name, 'expects x [N,C,H,W]', [x.shape], captureSite());
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const spec = convSpec({ stride });
  const oh = outSize(name, x, k, spec, 0);
  const ow = outSize(name, x, k, spec, 1);
  if (stride === k && h % k === 0 && w % k === 0) {
    // Non-overlapping windows are a reshape: no slices needed.
    const tiles = B.reshape(x, [n, c, oh, k, ow, k]);
    return op === 'max' ? B.max(tiles, [3, 5]) : B.div(B.sum(tiles, [3, 5]), k * k);
  }
  const win = windows(x, [k, k], spec, [oh, ow]);
  return op === 'max' ? B.max(win, 2) : B.div(B.sum(win, 2), k * k);
}

export const maxPool2d = (x: Node, k = 2, stride = k): Node => pool('max', x, k, stride);
export const avgPool2d = (x: Node, k = 2, stride = k): Node => pool('avg', x, k, stride);

/** conv1d on x [N, C, L] with w [O, C/groups, K]: conv2d over a height-1 image. */
export function conv1d(x: Node, w: Node, bias?: Node, opts: Conv1dOptions = {}): Node {
  const usage = 'expects x [N,C,L] and w [O,C/groups,K]';
  const g = opts.groups ?? 1;
  if (x.rank !== 3 || w.rank !== 3 || x.shape[1] !== w.shape[1]! * g) {
    throw opError('shape', 'conv1d', usage, [x.shape, w.shape], captureSite());
  }
  const spec: ConvSpec = {
    stride: [1, opts.stride ?? 1],
    padding: [0, opts.padding ?? 0],
    dilation: [1, opts.dilation ?? 1],
    groups: g,
  };
  const x4 = B.reshape(x, [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
  const w4 = B.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]);
  const y = convCore('conv1d', x4, w4, bias, spec, usage);
  return B.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
}

// Transposed convolution (PyTorch's ConvTranspose2d/1d): the adjoint of conv2d, built as a plain
// conv2d of the input spread by the stride (interior padding) with the flipped, channel-swapped
// kernel — so it reuses conv2d's im2col matmul and differentiates like it.

export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra rows/columns on the bottom/right of the output (must be below stride or dilation). */
  readonly outputPadding?: number | Pair;
}

export interface ConvTranspose1dOptions {
  readonly stride?: number;
  readonly padding?: number;
  readonly outputPadding?: number;
  readonly dilation?: number;
  readonly groups?: number;
}

/**
 * x [N, Cin, H, W] with w [Cin, Cout/groups, KH, KW] (+ bias [Cout]) → [N, Cout, OH, OW], where
 * OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + outputPadding + 1, as torch's.
 */
export function convTranspose2d(
  x: Node,
  w: Node,
  bias?: Node,
  opts: ConvTranspose2dOptions = {},
): Node {
  const op = opts.outputPadding ?? 0;
  const outPad: Pair = typeof op === 'number' ? [op, op] : op;
  const usage = 'expects x [N,Cin,H,W] and w [Cin,Cout/groups,KH,KW]';
  return transposeCore('convTranspose2d', x, w, bias, convSpec(opts), outPad, usage);
}

/** convTranspose2d over a height-1 image: x [N, Cin, L], w [Cin, Cout/groups, K]. */
export function convTranspose1d(
  x: Node,
  w: Node,
  bias?: Node,
  opts: ConvTranspose1dOptions = {},
): Node {
  const usage = 'expects x [N,Cin,L] and w [Cin,Cout/groups,K]';
  if (x.rank !== 3 || w.rank !== 3) {
    throw opError('shape', 'convTranspose1d', usage, [x.shape, w.shape], captureSite());
  }
  const spec: ConvSpec = {
    stride: [1, opts.stride ?? 1],
    padding: [0, opts.padding ?? 0],
    dilation: [1, opts.dilation ?? 1],
    groups: opts.groups ?? 1,
  };
  const x4 = B.reshape(x, [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]);
  const w4 = B.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]);
  const outPad: Pair = [0, opts.outputPadding ?? 0];
  const y = transposeCore('convTranspose1d', x4, w4, bias, spec, outPad, usage);
  return B.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
}

function transposeCore(
  op: string,
  x: Node,
  w: Node,
  bias: Node | undefined,
  s: ConvSpec,
  outPad: Pair,
  usage: string,
): Node {
  const fail = (detail: string) => opError('shape', op, detail, [x.shape, w.shape], captureSite());
  const g = s.groups;
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[0]) throw fail(usage);
  if (!(Number.isInteger(g) && g >= 1) || w.shape[0]! % g !== 0) {
    throw fail(`groups ${g} must divide the input channels ${w.shape[0]}`);
  }
  for (const a of [0, 1] as const) {
    if (outPad[a] < 0 || outPad[a] >= Math.max(s.stride[a], s.dilation[a])) {
      throw fail(`outputPadding ${outPad[a]} must be below the stride or the dilation`);
    }
  }
  const [cin, cg, kh, kw] = w.shape as [number, number, number, number];
  // Spread the input by the stride, then pad by the kernel's span less the padding (cropping
  // where that is negative): a stride-1 conv2d over it is the transposed convolution.
  const edge = (a: 0 | 1, k: number) => s.dilation[a] * (k - 1) - s.padding[a];
  const [eh, ew] = [edge(0, kh), edge(1, kw)];
  const spread = B.pad(
    x,
    [
      [0, 0],
      [0, 0],
      [Math.max(eh, 0), Math.max(eh + outPad[0], 0)],
      [Math.max(ew, 0), Math.max(ew + outPad[1], 0)],
    ],
    0,
    [0, 0, s.stride[0] - 1, s.stride[1] - 1],
  );
  const crop = (a: 0 | 1, e: number) => {
    const n = spread.shape[a + 2]!;
    return [Math.max(-e, 0), n - Math.max(-(e + outPad[a]), 0)];
  };
  const xs = B.slice(spread, [[0, spread.shape[0]!], [0, cin], crop(0, eh), crop(1, ew)]);
  // w [Cin, Cout/g, KH, KW] → [Cout, Cin/g, KH, KW] per group, taps reversed.
  const wg = B.permute(B.reshape(w, [g, cin / g, cg, kh, kw]), [0, 2, 1, 3, 4]);
  const wt = flip(B.reshape(wg, [g * cg, cin / g, kh, kw]), [2, 3]);
  const conv: ConvSpec = { stride: [1, 1], padding: [0, 0], dilation: s.dilation, groups: g };
  return convCore(op, xs, wt, bias, conv, usage);
}
