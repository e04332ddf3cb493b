// conv2d and 2-D pooling as composites: im2col from strided slices (views), then one 2-D matmul,
// so the weight gradient is a single matmul and every backend reuses its matmul kernel.
import { opError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import * as B from './ops.ts';

export interface Conv2dOptions {
  readonly stride?: number;
  readonly padding?: number;
}

/** Window views of x [N, C, H, W]: one strided slice per kernel offset, stacked on axis 2. */
function windows(x: Node, kh: number, kw: number, stride: number, oh: number, ow: number): Node {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const parts: Node[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s = B.slice(x, [
        [0, n],
        [0, c],
        [i, i + stride * (oh - 1) + 1, stride],
        [j, j + stride * (ow - 1) + 1, stride],
      ]);
      parts.push(B.reshape(s, [n, c, 1, oh, ow]));
    }
  }
  return B.concat(parts, 2);
}

function outSize(
  op: string,
  x: Node,
  k: number,
  stride: number,
  pad: number,
  axis: number,
): number {
  const o = Math.floor((x.shape[axis]! + 2 * pad - k) / stride) + 1;
  if (o < 1)
    throw opError('shape', op, `window ${k} does not fit the input`, [x.shape], captureSite());
  return o;
}

/** x [N, C, H, W] ⊛ w [O, C, KH, KW] (+ bias [O]) → [N, O, OH, OW]. */
export function conv2d(x: Node, w: Node, bias?: Node, opts: Conv2dOptions = {}): Node {
  const { stride = 1, padding = 0 } = opts;
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[1]) {
    throw opError(
      'shape',
      'conv2d',
      'expects x [N,C,H,W] and w [O,C,KH,KW]',
      [x.shape, w.shape],
      captureSite(),
    );
  }
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const [o, , kh, kw] = w.shape as [number, number, number, number];
  const oh = outSize('conv2d', x, kh, stride, padding, 2);
  const ow = outSize('conv2d', x, kw, stride, padding, 3);
  const xp = B.pad(x, [
    [0, 0],
    [0, 0],
    [padding, padding],
    [padding, padding],
  ]);
  const cols = B.reshape(B.permute(windows(xp, kh, kw, stride, oh, ow), [1, 2, 0, 3, 4]), [
    c * kh * kw,
    n * oh * ow,
  ]);
  const out = B.matmul(B.reshape(w, [o, c * kh * kw]), cols);
  let y = B.permute(B.reshape(out, [o, n, oh, ow]), [1, 0, 2, 3]);
  if (bias) y = B.add(y, B.reshape(bias, [o, 1, 1]));
  return y;
}

function pool(op: 'max' | 'avg', x: Node, k: number, stride: number): Node {
  const name = `${op}_pool2d`;
  if (x.rank !== 4) throw opError('shape', name, 'expects x [N,C,H,W]', [x.shape], captureSite());
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = outSize(name, x, k, stride, 0, 2);
  const ow = outSize(name, x, k, stride, 0, 3);
  if (stride === k && h % k === 0 && w % k === 0) {
    // Non-overlapping windows are a reshape: no slices needed.
    const tiles = B.reshape(x, [n, c, oh, k, ow, k]);
    return op === 'max' ? B.max(tiles, [3, 5]) : B.div(B.sum(tiles, [3, 5]), k * k);
  }
  const win = windows(x, k, k, stride, oh, ow);
  return op === 'max' ? B.max(win, 2) : B.div(B.sum(win, 2), k * k);
}

export const maxPool2d = (x: Node, k = 2, stride = k): Node => pool('max', x, k, stride);
export const avgPool2d = (x: Node, k = 2, stride = k): Node => pool('avg', x, k, stride);

/** conv1d on x [N, C, L] with w [O, C, K]: conv2d over a height-1 image (padding on L only). */
export function conv1d(x: Node, w: Node, bias?: Node, opts: Conv2dOptions = {}): Node {
  const { stride = 1, padding = 0 } = opts;
  if (x.rank !== 3 || w.rank !== 3 || x.shape[1] !== w.shape[1]) {
    throw opError(
      'shape',
      'conv1d',
      'expects x [N,C,L] and w [O,C,K]',
      [x.shape, w.shape],
      captureSite(),
    );
  }
  const xp = B.pad(x, [
    [0, 0],
    [0, 0],
    [padding, padding],
  ]);
  const x4 = B.reshape(xp, [x.shape[0]!, x.shape[1]!, 1, xp.shape[2]!]);
  const w4 = B.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]);
  const y = conv2d(x4, w4, bias, { stride });
  return B.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
}
