// Hand-made graphs at the points the fuzzer steers clear of, where conventions decide the answer:
// ties (max, maximum, minimum), kinks at 0 (abs, relu, sign), domain edges (log 0, sqrt 0, asin 1),
// pow with negative or zero bases, ±∞ and NaN, half-way rounding, int32 wrapping and casts, and
// softmax / logsumexp / layer norm on rows holding −∞, ties or constants.
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from '../../src/ops/names.ts';
import { graphToJson } from '../../test/support/graph-json.ts';
import type { JsonGraph } from '../../test/support/graph-json.ts';

/** Values where derivatives have kinks, domains end or rounding ties. */
const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  2,
  -2,
  3,
  0.25,
  100,
  -100,
  NaN,
  Infinity,
  -Infinity,
];
const I32_SPECIAL = [0, 1, -1, 7, -7, 2147483647, -2147483648, 65536, -65536, 46341];

class Edge {
  readonly g: Graph;
  readonly feeds: Record<string, Float32Array | Int32Array> = {};
  readonly wrt: Node[] = [];
  private readonly rnd: () => number;

  constructor(name: string) {
    this.g = new Graph(name);
    this.rnd = mulberry32(name.length * 7919 + name.charCodeAt(0));
  }
  f32(name: string, v: readonly number[], shape = [v.length]): Node {
    const x = this.g.input(name, shape);
    this.feeds[name] = Float32Array.from(v);
    this.wrt.push(x);
    return x;
  }
  i32(name: string, v: readonly number[]): Node {
    const x = this.g.input(name, [v.length], 'i32');
    this.feeds[name] = Int32Array.from(v);
    return x;
  }
  /** Outputs `out<k>` and a loss Σ_k Σ(out_k ⊙ w_k) of the f32 ones (i32 outputs count 0×). */
  finish(outs: readonly Node[]): JsonGraph {
    const terms = outs.map((o, k) => {
      this.g.output(`out${k}`, o);
      const f = o.dtype === 'f32' ? o : B.mul(B.cast(o, 'f32'), 0);
      // Multiples of 1/8: exact, and short in the fixture files.
      const w = Array.from({ length: o.size }, () => Math.round(16 * this.rnd() - 8) / 8);
      return B.sum(B.mul(f, B.tensor(this.g, w, o.shape)));
    });
    const loss = this.g.output(
      'loss',
      terms.reduce((a, b) => B.add(a, b)),
    );
    const hvpV = this.wrt.map((x) => Array.from({ length: x.size }, () => 0.5));
    return graphToJson({ graph: this.g, feeds: this.feeds, params: {}, loss, wrt: this.wrt, hvpV });
  }
}

/**
 * Graphs named `deviation_*` hold the cases where gradc deliberately differs from PyTorch (the
 * reasons: scripts/torch-diff/README.md); the runner counts them apart and never keeps them as fixtures.
 */
const NAN_DEVIATES: readonly string[] = ['relu', 'abs', 'sign'];

function unaryEdges(): JsonGraph[] {
  const noNaN = SPECIAL.filter((v) => !Number.isNaN(v));
  return UNARY_OPS.flatMap((op) => {
    const e = new Edge(`edge_${op}`);
    const deviates = NAN_DEVIATES.includes(op);
    const main = e.finish([B.unary(op, e.f32('x', deviates ? noNaN : SPECIAL))]);
    if (!deviates) return [main];
    const d = new Edge(`deviation_${op}_nan`);
    return [main, d.finish([B.unary(op, d.f32('x', [NaN, 1, -1]))])];
  });
}

/** Every pair of `as` × `bs`: a[i·|bs| + j] = as[i], b[…] = bs[j]. */
function pairs(as: readonly number[], bs: readonly number[]): [number[], number[]] {
  return [as.flatMap((p) => bs.map(() => p)), as.flatMap(() => bs)];
}

/** Every pair of special values, for each binary and comparison op (pow: see powEdges). */
function binaryEdges(): JsonGraph[] {
  const [a, b] = pairs(SPECIAL, SPECIAL);
  const ops = [...BINARY_OPS.filter((op) => op !== 'pow'), ...COMPARE_OPS];
  return ops.map((op) => {
    const e = new Edge(`edge_${op}`);
    const y = B.binary(op, e.f32('a', a), e.f32('b', b));
    return e.finish([y.dtype === 'bool' ? B.cast(y, 'f32') : y]);
  });
}

/**
 * pow on negative, fractional and integer bases and exponents; then, apart, the cases where
 * conventions differ: base ±1 with a non-finite exponent (JS Math.pow: NaN; C and torch: 1) and
 * the second derivatives at a zero base or a zero exponent (torch's double backward: NaN or 0).
 */
function powEdges(): JsonGraph[] {
  const e = new Edge('edge_pow');
  const [a, b] = pairs([-2, -1, -0.5, 0.25, 0.5, 1, 1.5, 2, 3], [-2, -1, -0.5, 0.5, 1, 1.5, 2, 3]);
  const main = e.finish([B.pow(e.f32('a', a), e.f32('b', b))]);
  const d = new Edge('deviation_pow');
  const [da, db] = pairs([0, 1, -1, 2], [0, 2, Infinity, -Infinity, NaN]);
  return [main, d.finish([B.pow(d.f32('a', da), d.f32('b', db))])];
}

function intEdges(): JsonGraph[] {
  const a = I32_SPECIAL.flatMap((p) => I32_SPECIAL.map(() => p));
  const b = I32_SPECIAL.flatMap(() => I32_SPECIAL);
  const e = new Edge('edge_i32');
  const [x, y] = [e.i32('a', a), e.i32('b', b)];
  const outs = (['add', 'sub', 'mul', 'maximum', 'minimum'] as const).map((op) =>
    B.binary(op, x, y),
  );
  for (const op of ['neg', 'abs', 'relu', 'sign'] as const) outs.push(B.unary(op, x));
  outs.push(B.cast(B.lt(x, y), 'i32'), B.cumsum(x, 0), B.sum(x, [0]), B.max(x, [0]));
  // i32 → f32 rounds large ints to float32 on the compiled targets: the f32 tolerance covers it.
  outs.push(B.cast(x, 'f32'));
  const c = new Edge('edge_cast');
  const toI = B.cast(c.f32('x', [2.7, -2.7, 0.5, -0.5, 1.5, -1.5, 1e9, -1e9, 0, -0]), 'i32');
  return [e.finish(outs), c.finish([toI, B.cast(toI, 'f32')])];
}

/** Rows with ties, −∞ entries, a +∞ entry, a constant row (zero variance) and NaN. */
const ROWS = [
  [1, 2, 3, 4],
  [2, 2, 1, 2],
  [-Infinity, 0, 1, -Infinity],
  [-Infinity, -Infinity, -Infinity, -Infinity],
  [Infinity, 0, 1, 2],
  [5, 5, 5, 5],
  [NaN, 0, 1, 2],
];

function rowEdges(): JsonGraph[] {
  const mk = (name: string, f: (x: Node) => Node, rows = ROWS) => {
    const e = new Edge(name);
    return e.finish([f(e.f32('x', rows.flat(), [rows.length, 4]))]);
  };
  const finite = ROWS.filter((r) => r.every(Number.isFinite));
  const noPlusInf = ROWS.filter((r) => !r.includes(Infinity));
  const ce = (x: Node) =>
    C.softmaxCrossEntropy(x, B.broadcastTo(B.tensor(x.graph, [0.25]), x.shape));
  return [
    mk('edge_reduce_max', (x) => B.max(x, [1])),
    mk('edge_reduce_max_all', (x) => B.max(x, [0, 1])),
    mk('edge_reduce_sum', (x) => B.sum(x, [1])),
    mk('edge_cumsum', (x) => B.cumsum(x, 1)),
    mk('edge_logsumexp', (x) => C.logsumexp(x, [1])),
    mk('edge_softmax', (x) => C.softmax(x, 1)),
    mk('edge_log_softmax', (x) => C.logSoftmax(x, 1)),
    mk('edge_layer_norm', (x) => C.layerNorm(x)),
    mk('edge_matmul', (x) => B.matmul(x, B.transpose(x)), finite),
    mk('edge_softmax_ce', ce, noPlusInf),
    mk('edge_softmax_ce_inf', ce, [[Infinity, 0, 1, 2]]),
    // wasm's row matmul skips zero steps, so 0·∞ adds nothing there instead of NaN.
    mk('deviation_matmul_inf', (x) => B.matmul(x, B.transpose(x))),
  ];
}

/** where's unchosen branch: a NaN or ∞ there must not leak into the chosen branch's gradient. */
function whereEdges(): JsonGraph[] {
  const e = new Edge('edge_where');
  const x = e.f32('x', [-1, 0, 1, 4, -4]);
  const safe = B.where(B.gt(x, 0), B.sqrt(x), 0);
  const logs = B.where(B.gt(x, 0), B.log(x), x);
  return [e.finish([safe, logs])];
}

export function edgeGraphs(): JsonGraph[] {
  return [
    ...unaryEdges(),
    ...binaryEdges(),
    ...powEdges(),
    ...intEdges(),
    ...rowEdges(),
    ...whereEdges(),
  ];
}
