// Maps in f32x4 along their last axis (codegen/wasm/rows.ts): the affine index rules, and the row
// loops against the interpreter and the TS kernels on odd shapes (row lengths 5, 7, 9, 13: vector
// and tail), on every view a map reads (row and column broadcasts, a transposed view, a scalar),
// with the lane transcendentals, and on special values (NaN, ±∞, overflow).
import { describe, expect, it } from 'vitest';
import { affineIn, maxIndex } from '../../codegen/wasm/affine.ts';
import { rowRefusal } from '../../codegen/wasm/rows.ts';
import { vectorRefusal } from '../../codegen/wasm/vector.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { emitTs } from '../../src/pipeline.ts';
import * as E from '../../src/schedule/expr.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';

const [i0, i1] = [E.ivar('i0'), E.ivar('i1')];

describe('affine index rules', () => {
  const ext = (v: string) => (v === 'i0' ? 64 : 256);
  it('see through a broadcast written as div/mod of the flat index', () => {
    // t0 = 256·i0 + i1 over i1 < 256; ⌊t0/16384⌋·16384 + (⌊t0/256⌋ mod 64)·256 + t0 mod 256
    const t0 = E.iadd(E.imul(i0, E.int(256)), i1);
    const at = E.iadd(
      E.imul(E.idiv(t0, 16384), E.int(16384)),
      E.iadd(E.imul(E.imod(E.idiv(t0, 256), 64), E.int(256)), E.imod(t0, 256)),
    );
    const a = affineIn(at, 'i1', 256, ext)!;
    expect(a.stride).toBe(1);
    expect(affineIn(E.imod(t0, 256), 'i1', 256, ext)!.stride).toBe(1);
    expect(affineIn(E.idiv(t0, 256), 'i1', 256, ext)!.stride).toBe(0);
    expect(maxIndex(at, ext)).toBe(64 * 256 - 1);
  });

  it('give a transposed view its stride, and refuse what no rule shows', () => {
    expect(affineIn(E.iadd(E.imul(i1, E.int(7)), i0), 'i1', 5, ext)!.stride).toBe(7);
    // (3·i0 + i1) mod 4 over i1 < 5 wraps inside the row: not affine
    expect(affineIn(E.imod(E.iadd(E.imul(i0, E.int(3)), i1), 4), 'i1', 5, ext)).toBeNull();
    expect(affineIn(E.bin('sub', i1, E.int(1)), 'i1', 5, ext)).toBeNull(); // pads stay scalar
  });
});

/** Each graph's map reads its inputs through a different view; s is a scalar. */
const CASES: Record<string, (x: Node, c: Node, r: Node, s: Node) => Node> = {
  // softmax rows: exp(x − max) / Σ, the max and the sum broadcast along the row
  softmax: (x) => {
    const e = B.exp(B.sub(x, B.max(x, -1, true)));
    return B.div(e, B.sum(e, -1, true));
  },
  // GELU (tanh form) of x + a bias along the row
  'gelu of x + column bias': (x, c) => {
    const z = B.add(x, c);
    const inner = B.mul(B.add(z, B.mul(B.mul(B.mul(z, z), z), 0.044715)), 0.7978845608);
    return B.mul(B.mul(z, 0.5), B.add(B.tanh(inner), 1));
  },
  // a transposed view (gathered lanes), a per-row value and a scalar
  'sigmoid of a transpose': (x, _c, r, s) =>
    B.mul(B.sigmoid(B.add(B.transpose(B.transpose(x)), B.mul(r, s))), B.permute(x, [0, 1])),
  // the lane log, sin and cos (and log of a negative: NaN, in the special values)
  'log, sin and cos': (x, c) =>
    B.add(B.log(B.add(x, 5.5)), B.mul(B.sin(B.mul(x, 3)), B.cos(B.add(c, x)))),
  // exact GELU: erf has lane code, and float32 scalar code from it (Math has no erf to import)
  'exact GELU (erf)': (x, c) =>
    B.mul(B.mul(B.add(x, c), 0.5), B.add(B.erf(B.mul(B.add(x, c), Math.SQRT1_2)), 1)),
  'where, comparisons and exp': (x, c, r) =>
    B.where(B.gt(x, c), B.exp(B.mul(x, r)), B.tanh(B.sub(x, c))),
  // cross-entropy's gradient: softmax − one-hot(label), the label compared with the column index
  'one-hot of integer labels': (x, _c, r) => {
    const [rows, cols] = x.shape as [number, number];
    const label = B.cast(B.mul(B.abs(r), 2), 'i32'); // 1, 3, 5 (< cols), per row
    const hot = B.eq(B.broadcastTo(label, [rows, cols]), B.iota(x.graph, [rows, cols], 1));
    return B.sub(B.exp(x), B.cast(hot, 'f32'));
  },
  // a mask kept as a boolean buffer (it is broadcast, so it gets one), read as lane masks
  'boolean mask buffer': (x) => {
    const [rows, cols] = x.shape as [number, number];
    const mask = B.broadcastTo(B.le(B.iota(x.graph, [cols], 0), 3), [rows, cols]);
    const a = B.where(mask, B.exp(x), 0);
    return B.add(B.div(a, B.sum(a, -1, true)), B.where(mask, 0, B.tanh(x)));
  },
};

function graph(rows: number, cols: number, name: string, transposed = false): Graph {
  const g = new Graph('rows');
  const x = g.input('x', [rows, cols]);
  const xt = transposed ? B.transpose(g.input('xt', [cols, rows])) : x;
  const c = g.input('c', [cols]);
  const r = g.input('r', [rows, 1]);
  const s = g.input('s', []);
  g.output('z', CASES[name]!(B.add(xt, transposed ? x : 0), c, r, s));
  return g;
}

const feeds =
  (rows: number, cols: number, special = false, transposed = true) =>
  () => {
    const x = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 4);
    if (special) x.set([NaN, Infinity, -Infinity, 200, -200, 0, -0, 1e-30], 0);
    return {
      x,
      ...(transposed
        ? { xt: Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.11)) }
        : {}),
      c: Float32Array.from({ length: cols }, (_, i) => Math.cos(i) * 0.5),
      r: Float32Array.from({ length: rows }, (_, i) => 0.5 + (i % 3)),
      s: [0.75],
    };
  };

/** Same NaNs and infinities, finite values close in float32 terms. */
function sameSpecials(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (Number.isNaN(x) !== Number.isNaN(y)) return `element ${i}: ${x} vs ${y}`;
    if (!Number.isFinite(y) && !Number.isNaN(y) && x !== y) return `element ${i}: ${x} vs ${y}`;
    if (Number.isFinite(y) && !(Math.abs(x - y) <= 1e-5 * (1 + Math.abs(y))))
      return `element ${i}: ${x} vs ${y}`;
  }
  return null;
}

describe('f32x4 row maps', () => {
  for (const name of Object.keys(CASES)) {
    it(`${name}: the map takes the row path`, async () => {
      const { program } = await emitTs(graph(6, 13, name, true), { format: false });
      const buffer = (b: string) => program.buffers.find((x) => x.name === b)!;
      const maps = kernelsOf(program).filter((k): k is MapKernel => k.kind === 'map');
      const rows = maps.filter(
        (k) => vectorRefusal(k, (b) => buffer(b).dtype) !== null && rowRefusal(k, buffer) === null,
      );
      expect(rows.length).toBeGreaterThanOrEqual(1);
    });
    for (const [r, c, t] of [
      [3, 5, false],
      [6, 13, true],
      [4, 8, true],
      [2, 9, false],
    ] as const) {
      it(`${name}, ${r}×${c}${t ? ' + a transposed input' : ''}: interpreter and TS agree`, async () => {
        const g = graph(r, c, name, t);
        expect(await diffAgainstInterp(g, feeds(r, c, false, t), 1, { wasm: 'all' })).toBeNull();
        const [w, s] = await Promise.all([
          compile(g, { wasm: 'all' }),
          compile(g, { wasm: 'off' }),
        ]);
        const [a, b] = await Promise.all([
          w.run(feeds(r, c, false, t)()),
          s.run(feeds(r, c, false, t)()),
        ]);
        expect(mismatch(a['z']!, b['z']!)).toBeNull();
      });
    }
    it(`${name}: special values as the TS kernels`, async () => {
      const g = graph(5, 11, name);
      const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
      const [a, b] = await Promise.all([
        w.run(feeds(5, 11, true, false)()),
        s.run(feeds(5, 11, true, false)()),
      ]);
      expect(sameSpecials(a['z']!, b['z']!)).toBeNull();
    });
  }
});

/** Attention's head merge: [B, H, T, dh] → [B, T, H·dh], contiguous only within each head. */
function headMerge(h: number, t: number, dh: number): Graph {
  const g = new Graph('merge');
  const x = g.input('x', [2, h, t, dh]);
  const b = g.input('b', [h * dh]);
  const merged = B.reshape(B.permute(x, [0, 2, 1, 3]), [2 * t, h * dh]);
  const y = B.tanh(B.add(merged, b));
  g.output('y', y);
  g.output('s', B.sum(B.mul(merged, merged), -1));
  return g;
}

describe('f32x4 rows over a head merge (bases per chunk of four)', () => {
  for (const dh of [4, 8, 6]) {
    it(`dh ${dh}: ${dh % 4 ? 'scalar (chunks cross heads)' : 'chunked lanes'}, as the interpreter and TS`, async () => {
      const g = headMerge(3, 5, dh);
      const { program } = await emitTs(g, { format: false });
      const buffer = (b: string) => program.buffers.find((x) => x.name === b)!;
      const maps = kernelsOf(program).filter((k): k is MapKernel => k.kind === 'map');
      const rowMaps = maps.filter((k) => rowRefusal(k, buffer) === null);
      expect(rowMaps.length > 0).toBe(dh % 4 === 0);
      const feeds = () => ({
        x: Float32Array.from({ length: 2 * 3 * 5 * dh }, (_, i) => Math.sin(i * 0.3)),
        b: Float32Array.from({ length: 3 * dh }, (_, i) => Math.cos(i)),
      });
      expect(await diffAgainstInterp(g, feeds, 1, { wasm: 'all' })).toBeNull();
      const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
      const [a, b] = await Promise.all([w.run(feeds()), s.run(feeds())]);
      expect(mismatch(a['y']!, b['y']!)).toBeNull();
      expect(mismatch(a['s']!, b['s']!)).toBeNull();
    });
  }
});

describe('f32x4 rows of a map whose last axes are 1 (per-row values)', () => {
  it('[6, 13, 1]: lanes along the axis of 13, as the interpreter and TS', async () => {
    const g = new Graph('stats');
    const x = g.input('x', [6, 13, 1]);
    const c = g.input('c', [13, 1]);
    g.output('y', B.log(B.add(B.mul(x, x), B.broadcastTo(c, [6, 13, 1]))));
    const { program } = await emitTs(g, { format: false });
    const buffer = (b: string) => program.buffers.find((x) => x.name === b)!;
    const maps = kernelsOf(program).filter((k): k is MapKernel => k.kind === 'map');
    expect(maps.map((k) => rowRefusal(k, buffer))).toEqual([null]);
    const feeds = () => ({
      x: Float32Array.from({ length: 78 }, (_, i) => Math.sin(i)),
      c: Float32Array.from({ length: 13 }, (_, i) => 1 + i),
    });
    expect(await diffAgainstInterp(g, feeds, 1, { wasm: 'all' })).toBeNull();
    const [w, s] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
    const [a, b] = await Promise.all([w.run(feeds()), s.run(feeds())]);
    expect(mismatch(a['y']!, b['y']!)).toBeNull();
  });
});
