// Strided views: permute, broadcast, slice and reshape over a buffer are (offset, strides) access;
// anything else (pad, concat, arithmetic) is not, and matmul operands collapse batch axes.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { batchTerms } from '../../src/schedule/kernel.ts';
import { matmulView, stridedOf } from '../../src/schedule/views.ts';

function setup() {
  const g = new Graph('views');
  const x = g.input('x', [2, 3, 4]);
  const v = g.input('v', [3, 1]);
  const buffers = new Set<Node>([x, v]);
  const view = (n: Node) => stridedOf(n, (m) => buffers.has(m));
  return { g, x, v, view };
}

describe('stridedOf', () => {
  it('a buffer is its own row-major view', () => {
    const { x, view } = setup();
    expect(view(x)).toEqual({ base: x, offset: 0, strides: [12, 4, 1] });
  });

  it('permute permutes the strides', () => {
    const { x, view } = setup();
    expect(view(B.permute(x, [2, 0, 1]))).toMatchObject({ offset: 0, strides: [1, 12, 4] });
    expect(view(B.transpose(x))).toMatchObject({ strides: [12, 1, 4] });
  });

  it('broadcast gives new and size-1 axes stride 0', () => {
    const { v, view } = setup();
    expect(view(B.broadcastTo(v, [2, 3, 5]))).toMatchObject({ base: v, strides: [0, 1, 0] });
  });

  it('slice moves the offset and multiplies strides by the steps', () => {
    const { x, view } = setup();
    const s = B.slice(x, [
      [1, 2],
      [0, 3, 2],
      [1, 4],
    ]);
    expect(view(s)).toMatchObject({ offset: 13, strides: [12, 8, 1] });
  });

  it('reshape of a contiguous view is row-major; of a strided one only by size-1 axes', () => {
    const { x, view } = setup();
    expect(view(B.reshape(x, [6, 4]))).toMatchObject({ strides: [4, 1] });
    const p = B.permute(x, [1, 0, 2]);
    expect(view(B.reshape(p, [3, 1, 2, 4]))).toMatchObject({ strides: [4, 0, 12, 1] });
    expect(view(B.reshape(p, [6, 4]))).toBeNull();
  });

  it('pad, concat and arithmetic are not strided views', () => {
    const { x, view } = setup();
    expect(view(B.pad(x, [[1, 0]]))).toBeNull();
    expect(view(B.concat([x, x], 0))).toBeNull();
    expect(view(B.exp(x))).toBeNull();
    expect(view(B.transpose(B.exp(x)))).toBeNull();
  });
});

describe('matmulView', () => {
  it('collapses contiguous batch axes into one stride, broadcast batches to stride 0', () => {
    const { x, v, view } = setup();
    expect(matmulView(view(x)!, x.shape, 'x')).toEqual({
      buf: 'x',
      offset: 0,
      batch: [{ size: 2, stride: 12 }],
      rowStride: 4,
      colStride: 1,
    });
    const bt = B.broadcastTo(v, [5, 3, 1]);
    expect(matmulView(view(bt)!, bt.shape, 'v')).toMatchObject({
      batch: [{ size: 5, stride: 0 }],
      rowStride: 1,
    });
  });

  it('keeps batch axes that do not collapse as per-axis strides (a head split)', () => {
    const g = new Graph('mv');
    const y = g.input('y', [2, 3, 4, 5]);
    const p = B.permute(y, [1, 0, 2, 3]);
    const v = matmulView(
      stridedOf(p, (m) => m === y)!,
      p.shape,
      'y',
    );
    expect(v.batch).toEqual([
      { size: 3, stride: 20 },
      { size: 2, stride: 60 },
    ]);
    // flat batch b = 2·i + j reads y[j, i]: ⌊b/2⌋·20 + (b mod 2)·60
    expect(batchTerms(v)).toEqual([
      { div: 2, mod: 0, stride: 20 },
      { div: 1, mod: 2, stride: 60 },
    ]);
  });

  it('a partial batch broadcast keeps its stride-0 axis and drops it from the offset', () => {
    const g = new Graph('mv');
    const k = g.input('k', [2, 1, 3, 5]); // multi-query K: one head for 4
    const bk = B.broadcastTo(k, [2, 4, 3, 5]);
    const v = matmulView(
      stridedOf(bk, (m) => m === k)!,
      bk.shape,
      'k',
    );
    expect(v.batch).toEqual([
      { size: 2, stride: 15 },
      { size: 4, stride: 0 },
    ]);
    expect(batchTerms(v)).toEqual([{ div: 4, mod: 0, stride: 15 }]);
  });
});
