// Hand-written graphs for the WGSL tests: every kernel kind (map, reduce in all three strategies,
// matmul with strided and batched operands, scatter) and every Expr form, plus a binding-limit case.
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { mulberry32 } from '../../src/ir/init.ts';

export type Feeds = Record<string, Float32Array | Int32Array>;

function floats(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Matmul (epilogue, transposed and batched operands), gather, scatter, small reductions. */
export function kindsGraph(): { g: Graph; feeds: Feeds } {
  const g = new Graph('kinds');
  const x = g.input('x', [6, 40]);
  const idx = g.input('idx', [7], 'i32');
  const w = g.param('w', [40, 5], init.normal(0.3));
  const h = B.tanh(B.add(B.matmul(x, w), 1));
  g.output('mm', h);
  g.output('mmT', B.matmul(B.transpose(h), h));
  const x3 = B.reshape(x, [2, 3, 40]);
  g.output('bmm', B.matmul(x3, B.transpose(x3)));
  g.output('rowmax', B.max(x, 1));
  g.output('colsum', B.sum(x, 0));
  g.output('tree', B.sum(B.exp(B.mul(x, 0.1)), [0, 1]));
  const rows = B.gather(x, idx, 0);
  g.output('gather', rows);
  g.output('scatter', B.scatterAdd(B.mul(rows, 2), idx, 0, 6));
  const feeds = { x: floats(240, 1), idx: Int32Array.from([0, 5, 2, 2, 3, 5, 1]) };
  return { g, feeds };
}

/** Every unary and binary form, comparisons, select, casts, i32 arithmetic, iota and random. */
export function exprGraph(): { g: Graph; feeds: Feeds } {
  const g = new Graph('exprs');
  const x = g.input('x', [4, 9]);
  const y = g.input('y', [9]);
  const k = g.input('k', [4, 9], 'i32');
  const ctr = g.input('counter', [], 'i32');
  const pos = B.add(B.abs(x), 0.5);
  const un = [B.neg, B.exp, B.sin, B.cos, B.tanh, B.sigmoid, B.relu, B.abs, B.sign].map((f) =>
    f(x),
  );
  g.output(
    'unary',
    un.reduce((a, b) => B.add(a, b)),
  );
  g.output('logs', B.add(B.log(pos), B.add(B.sqrt(pos), B.reciprocal(pos))));
  g.output('binary', B.add(B.div(B.sub(x, y), pos), B.mul(B.maximum(x, y), B.minimum(x, y))));
  g.output('pow', B.add(B.pow(x, 3), B.pow(pos, y)));
  g.output('where', B.where(B.gt(x, y), B.mul(x, 2), B.where(B.le(x, 0), y, x)));
  g.output('mask', B.ge(x, y));
  const ints = B.add(B.maximum(B.abs(k), B.neg(k)), B.mul(B.sign(k), B.minimum(k, 2)));
  g.output('ints', B.cast(B.add(ints, B.mul(B.sub(k, 1), B.relu(k))), 'f32'));
  g.output('casts', B.add(B.cast(B.cast(B.mul(x, 3), 'i32'), 'f32'), B.cast(B.ne(k, 0), 'f32')));
  g.output('iota', B.cast(B.iota(g, [4, 9], 1), 'f32'));
  g.output('uniform', B.random(g, [5, 7], { dist: 'uniform', seed: 11, counter: ctr }));
  g.output('normal', B.random(g, [5, 7], { dist: 'normal', seed: 3 }));
  const kv = Int32Array.from({ length: 36 }, (_, i) => ((i * 7) % 11) - 5);
  const feeds = { x: floats(36, 2), y: floats(9, 3), k: kv, counter: Int32Array.from([5]) };
  return { g, feeds };
}

/** Reductions long enough for the workgroup tree and the two-pass scheme. */
export function bigReduceGraph(): { g: Graph; feeds: Feeds } {
  const g = new Graph('big_reduce');
  const x = g.input('x', [200000]);
  const m = g.input('m', [3, 5000]);
  g.output('total', B.mul(B.sum(x), 0.001));
  g.output('peak', B.max(x));
  g.output('rows', B.sum(B.mul(m, m), 1));
  g.output('rowmax', B.max(m, 1));
  return { g, feeds: { x: floats(200000, 4, -1, 1), m: floats(15000, 5) } };
}

/** A sum of `n` distinct inputs: one fused kernel binding n + 1 buffers. */
export function manyInputsGraph(n: number): { g: Graph; feeds: Feeds } {
  const g = new Graph(`sum_of_${n}`);
  const xs = Array.from({ length: n }, (_, i) => g.input(`x${i}`, [3, 7]));
  g.output(
    'y',
    xs.reduce((a, b, i) => B.add(a, B.mul(b, i + 1))),
  );
  const feeds = Object.fromEntries(xs.map((_, i) => [`x${i}`, floats(21, 100 + i)]));
  return { g, feeds };
}

/**
 * More distinct buffers than one bind group may hold (maxBindingsPerBindGroup is 1000): a chain of
 * `links` small matmuls, each scaled by the sum of `per` fresh inputs, all of them kept as outputs.
 */
export function manyBuffersGraph(links: number, per = 10): { g: Graph; feeds: Feeds } {
  const g = new Graph(`many_buffers_${links}x${per}`);
  const w = g.param('w', [4, 4], init.normal(0.5));
  let h = g.input('h', [4, 4]);
  const feeds: Feeds = { h: floats(16, 7) };
  for (let l = 0; l < links; l++) {
    const xs = Array.from({ length: per }, (_, i) => {
      feeds[`x${l}_${i}`] = floats(16, 1000 + l * per + i, -0.2, 0.2);
      return g.input(`x${l}_${i}`, [4, 4]);
    });
    h = B.mul(
      h.matmul(w),
      xs.reduce((a, b) => B.add(a, b)),
    ).tanh();
    g.output(`h${l}`, h);
  }
  return { g, feeds };
}

/** Matmuls whose sizes fill lane tiles exactly (no clamping), B plain (read as vec4) or transposed. */
export function laneTileGraph(): { g: Graph; feeds: Feeds } {
  const g = new Graph('lane_tiles');
  const a = g.input('a', [16, 8]);
  const b = g.input('b', [8, 128]);
  const c = g.input('c', [64, 8]);
  g.output('ab', a.matmul(b).relu());
  g.output('act', a.matmul(c.T));
  const feeds = { a: floats(128, 31), b: floats(1024, 32), c: floats(512, 33) };
  return { g, feeds };
}

/** A chain of `links` small matmuls with a tanh epilogue: one kernel per link, all alike. */
export function longChainGraph(links: number): { g: Graph; feeds: Feeds } {
  const g = new Graph(`chain_${links}`);
  const w = g.param('w', [8, 8], init.normal(0.4));
  let h = g.input('x', [4, 8]);
  for (let l = 0; l < links; l++)
    h = h
      .matmul(w)
      .add(0.01 * (l % 7))
      .tanh();
  g.output('h', h);
  return { g, feeds: { x: floats(32, 41) } };
}

/** √(Σᵢ Σ xᵢ²) over `n` inputs, as gradient clipping computes it: one sum nested n deep. */
export function globalNormGraph(n: number): { g: Graph; feeds: Feeds } {
  const g = new Graph(`global_norm_${n}`);
  const xs = Array.from({ length: n }, (_, i) => g.input(`x${i}`, [3]));
  const sq = xs.map((x) => B.sum(B.mul(x, x))).reduce((a, b) => B.add(a, b));
  g.output('norm', B.sqrt(sq));
  const feeds = Object.fromEntries(xs.map((_, i) => [`x${i}`, floats(3, 500 + i)]));
  return { g, feeds };
}
