// THE gradient-check table: one row per differentiable primitive or composite, with its input
// domain, tolerance, derivative order and a fast-check generator of small random cases.
import fc from 'fast-check';
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import * as A from '../../src/builder/activations.ts';
import {
  avgPool2d,
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  maxPool2d,
} from '../../src/builder/conv.ts';
import * as R from '../../src/builder/reductions.ts';
import * as Sh from '../../src/builder/shuffle.ts';
import { einsum } from '../../src/builder/einsum.ts';
import * as losses from '../../src/nn/losses.ts';
import type { Node } from '../../src/ir/node.ts';
import { UNARY_OPS } from '../../src/ops/names.ts';
import type { OpName, UnaryOp } from '../../src/ops/names.ts';

/** Where the values of an operand are drawn from. */
export type Domain =
  | { readonly kind: 'uniform'; readonly lo: number; readonly hi: number }
  /** |x| in [lo, hi] with a random sign: keeps kinks at 0 (relu, abs) out of the ε-window. */
  | { readonly kind: 'away'; readonly lo: number; readonly hi: number }
  /** 0.4·k (+ parity·0.2) ± 0.03: two operands of different parity never come within 0.14. */
  | { readonly kind: 'lattice'; readonly parity: 0 | 1 }
  /** A shuffled grid 0.1 apart: no ties, so max and max-pool are differentiable. */
  | { readonly kind: 'distinct' }
  /** k + [0.2, 0.8]: away from the integers where truncation jumps. */
  | { readonly kind: 'nonInteger' }
  /** i32 indices in [0, n): never differentiated. */
  | { readonly kind: 'index'; readonly n: number };

export interface OperandSpec {
  readonly shape: readonly number[];
  /** Overrides the row's domain. */
  readonly domain?: Domain;
  /** Differentiate with respect to this operand (default: true unless it holds indices). */
  readonly wrt?: boolean;
}

export interface GradCase {
  readonly operands: readonly OperandSpec[];
  readonly build: (xs: readonly Node[]) => Node;
  /** Shapes and attributes, for failure messages. */
  readonly note: string;
}

export interface GradRow {
  readonly name: string;
  readonly domain: Domain;
  /** atol = rtol for first derivatives and for second derivatives (grad of grad). */
  readonly tol: number;
  /** 1: gradients only; 2: also grad of grad against finite differences of the gradient. */
  readonly order: 1 | 2;
  readonly cases: fc.Arbitrary<GradCase>;
}

const U = (lo: number, hi: number): Domain => ({ kind: 'uniform', lo, hi });
const ANY = U(-2, 2);
const POS = U(0.3, 3);
const AWAY: Domain = { kind: 'away', lo: 0.1, hi: 2 };

const dim = (max = 3) => fc.integer({ min: 1, max });
const shapeArb = (minRank = 0, maxRank = 3, maxDim = 3) =>
  fc.array(dim(maxDim), { minLength: minRank, maxLength: maxRank });
const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

/** A shape that numpy-broadcasts to `s`: some leading axes dropped, some axes set to 1. */
function partner(s: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .record({
      drop: fc.integer({ min: 0, max: s.length }),
      ones: fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
    })
    .map(({ drop, ones }) => s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Two shapes with a broadcasting partner on a random side. */
const pairArb = shapeArb().chain((s) =>
  fc.tuple(partner(s), fc.boolean()).map(([p, swap]) => (swap ? [p, s] : [s, p])),
);

/** A non-empty sorted subset of the axes of a rank-`r` shape. */
const axesArb = (r: number) =>
  fc.subarray(
    Array.from({ length: r }, (_, i) => i),
    { minLength: 1 },
  );

const permArb = (r: number) =>
  fc.shuffledSubarray(
    Array.from({ length: r }, (_, i) => i),
    { minLength: r, maxLength: r },
  );

function unary(name: string, f: (x: Node) => Node, domain = ANY, tol = 1e-6): GradRow {
  const cases = shapeArb().map((s) => ({
    operands: [{ shape: s }],
    build: ([x]: readonly Node[]) => f(x!),
    note: `x${fmt(s)}`,
  }));
  return { name, domain, tol, order: 2, cases };
}

function binary(
  name: string,
  f: (a: Node, b: Node) => Node,
  da: Domain,
  db: Domain,
  tol = 1e-6,
): GradRow {
  const cases = pairArb.map(([sa, sb]) => ({
    operands: [
      { shape: sa!, domain: da },
      { shape: sb!, domain: db },
    ],
    build: ([a, b]: readonly Node[]) => f(a!, b!),
    note: `a${fmt(sa!)} b${fmt(sb!)}`,
  }));
  return { name, domain: da, tol, order: 2, cases };
}

/** A row over one operand of a random shape with extra attributes drawn by `attrs`. */
function shaped<A>(
  name: string,
  shapes: fc.Arbitrary<number[]>,
  attrs: (s: number[]) => fc.Arbitrary<A>,
  f: (x: Node, a: A) => Node,
  opts: { domain?: Domain; tol?: number; order?: 1 | 2 } = {},
): GradRow {
  const cases = shapes.chain((s) =>
    attrs(s).map((a) => ({
      operands: [{ shape: s }],
      build: ([x]: readonly Node[]) => f(x!, a),
      note: `x${fmt(s)} ${JSON.stringify(a)}`,
    })),
  );
  return { name, domain: opts.domain ?? ANY, tol: opts.tol ?? 1e-6, order: opts.order ?? 2, cases };
}

/**
 * Every unary primitive of the op table, with the domain its row draws from: a mapped type, so a
 * new unary op without a row fails to typecheck.
 */
export const UNARY_DOMAIN: { readonly [P in UnaryOp]: Domain } = {
  neg: ANY,
  exp: ANY,
  log: POS,
  sqrt: POS,
  reciprocal: POS,
  sin: ANY,
  cos: ANY,
  tanh: ANY,
  sigmoid: U(-4, 4),
  relu: AWAY,
  abs: AWAY,
  sign: AWAY,
  log1p: U(-0.6, 3),
  expm1: ANY,
  softplus: U(-4, 4),
  erf: ANY,
  tan: U(-1.2, 1.2),
  asin: U(-0.85, 0.85),
  acos: U(-0.85, 0.85),
  atan: ANY,
  sinh: ANY,
  cosh: ANY,
  asinh: ANY,
  atanh: U(-0.85, 0.85),
  // Zero gradient: values are kept away from the integers (and half-integers) where they jump.
  floor: { kind: 'nonInteger' },
  ceil: { kind: 'nonInteger' },
  round: U(0.1, 0.4),
  trunc: { kind: 'nonInteger' },
};

const ELEMENTWISE: GradRow[] = [
  ...UNARY_OPS.map((op) => unary(op, (x) => B.unary(op, x), UNARY_DOMAIN[op])),
  unary('square', B.square),
  binary('add', B.add, ANY, ANY),
  binary('sub', B.sub, ANY, ANY),
  binary('mul', B.mul, ANY, ANY),
  binary('div', B.div, ANY, AWAY, 1e-5),
  binary('pow', B.pow, POS, U(-2, 2), 1e-5),
  binary('maximum', B.maximum, { kind: 'lattice', parity: 0 }, { kind: 'lattice', parity: 1 }),
  binary('minimum', B.minimum, { kind: 'lattice', parity: 1 }, { kind: 'lattice', parity: 0 }),
  {
    name: 'where',
    domain: ANY,
    tol: 1e-6,
    order: 2,
    cases: shapeArb().chain((s) =>
      fc.tuple(partner(s), partner(s), partner(s)).map(([sc, sa, sb]) => ({
        operands: [{ shape: sc, wrt: false }, { shape: sa }, { shape: sb }],
        build: ([c, a, b]: readonly Node[]) => B.where(B.gt(c!, 0), a!, b!),
        note: `c${fmt(sc)} a${fmt(sa)} b${fmt(sb)}`,
      })),
    ),
  },
  // f32 → f32 cast is skipped by the builder, so apply the primitive itself.
  unary('cast f32→f32', (x) => x.graph.apply('cast', [x], { dtype: 'f32' })),
  // x · trunc(x): the i32 round trip carries no gradient, so ∂/∂x = trunc(x).
  unary('cast f32→i32→f32', (x) => B.mul(x, B.cast(B.cast(x, 'i32'), 'f32')), {
    kind: 'nonInteger',
  }),
];

const reduceAttrs = (s: number[]) => fc.tuple(axesArb(s.length), fc.boolean());

const sliceArb = (s: number[]) =>
  fc.tuple(
    ...s.map((d) =>
      fc
        .tuple(fc.integer({ min: 0, max: d - 1 }), fc.integer({ min: 1, max: 3 }))
        .chain(([start, step]) =>
          fc.integer({ min: start + 1, max: d }).map((stop) => [start, stop, step]),
        ),
    ),
  );

const padArb = (s: number[]) =>
  fc.tuple(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
      minLength: s.length,
      maxLength: s.length,
    }),
    fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  );

const concatCases = shapeArb(1, 3).chain((s) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: s.length - 1 }),
      fc.array(dim(), { minLength: 2, maxLength: 3 }),
    )
    .map(([axis, lens]) => {
      const shapes = lens.map((n) => s.map((d, i) => (i === axis ? n : d)));
      return {
        operands: shapes.map((shape) => ({ shape })),
        build: (xs: readonly Node[]) => B.concat(xs, axis),
        note: `${shapes.map(fmt).join(' ')} axis ${axis}`,
      };
    }),
);

/** [m,k]·[k,n], batched, batch-broadcast (2-D on either side) and vector operands. */
const matmulCases = fc
  .record({ b: dim(), m: dim(), k: dim(4), n: dim(), form: fc.integer({ min: 0, max: 4 }) })
  .map(({ b, m, k, n, form }) => {
    const forms: [number[], number[]][] = [
      [
        [m, k],
        [k, n],
      ],
      [
        [b, m, k],
        [b, k, n],
      ],
      [
        [b, m, k],
        [k, n],
      ],
      [
        [m, k],
        [b, k, n],
      ],
      [[k], [k, n]],
    ];
    const [sa, sb] = forms[form]!;
    return {
      operands: [{ shape: sa }, { shape: sb }],
      build: ([a, x]: readonly Node[]) => B.matmul(a!, x!),
      note: `${fmt(sa)}·${fmt(sb)}`,
    };
  });

const MOVEMENT: GradRow[] = [
  shaped('sum', shapeArb(1), reduceAttrs, (x, [ax, keep]) => B.sum(x, ax, keep)),
  shaped('max', shapeArb(1), reduceAttrs, (x, [ax, keep]) => B.max(x, ax, keep), {
    domain: { kind: 'distinct' },
  }),
  shaped(
    'reshape',
    shapeArb(1),
    () => fc.integer({ min: 0, max: 2 }),
    (x, form) => {
      const shapes = [[x.size], [...x.shape].reverse(), [1, ...x.shape, 1]];
      return B.reshape(x, shapes[form]!);
    },
  ),
  shaped('permute', shapeArb(1, 4), (s) => permArb(s.length), B.permute),
  {
    name: 'broadcast',
    domain: ANY,
    tol: 1e-6,
    order: 2,
    cases: shapeArb(1).chain((s) =>
      partner(s).map((p) => ({
        operands: [{ shape: p }],
        build: ([x]: readonly Node[]) => B.broadcastTo(x!, s),
        note: `${fmt(p)} → ${fmt(s)}`,
      })),
    ),
  },
  shaped('slice', shapeArb(1, 3, 5), sliceArb, B.slice),
  shaped('pad', shapeArb(1), padArb, (x, [w, inner, v]) => B.pad(x, w, v, inner)),
  { name: 'concat', domain: ANY, tol: 1e-6, order: 2, cases: concatCases },
  { name: 'matmul', domain: ANY, tol: 1e-6, order: 2, cases: matmulCases },
];

/** gather along a random axis with random (repeating) indices; scatter_add its adjoint. */
const gatherCases = shapeArb(1).chain((s) =>
  fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), shapeArb(1, 2)).map(([axis, is]) => ({
    operands: [{ shape: s }, { shape: is, domain: { kind: 'index', n: s[axis]! } as Domain }],
    build: ([x, i]: readonly Node[]) => B.gather(x!, i!, axis),
    note: `x${fmt(s)} indices${fmt(is)} axis ${axis}`,
  })),
);

const scatterCases = shapeArb(1).chain((s) =>
  fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), dim(4)).map(([axis, size]) => ({
    operands: [{ shape: s }, { shape: [s[axis]!], domain: { kind: 'index', n: size } as Domain }],
    build: ([u, i]: readonly Node[]) => B.scatterAdd(u!, i!, axis, size),
    note: `updates${fmt(s)} axis ${axis} size ${size}`,
  })),
);

const INDEX: GradRow[] = [
  { name: 'gather', domain: ANY, tol: 1e-6, order: 2, cases: gatherCases },
  { name: 'scatter_add', domain: ANY, tol: 1e-6, order: 2, cases: scatterCases },
];

/** Rows x [rows..., n] plus per-feature gamma, beta [n]. */
const layerNormCases = shapeArb(1, 3).map((s) => {
  const n = s[s.length - 1]!;
  return {
    operands: [{ shape: s }, { shape: [n] }, { shape: [n] }],
    build: ([x, gm, bt]: readonly Node[]) => C.layerNorm(x!, gm, bt),
    note: `x${fmt(s)}`,
  };
});

const ceCases = fc.record({ b: dim(), c: fc.integer({ min: 2, max: 4 }), hot: fc.boolean() });
const softmaxCeCases = ceCases.map(({ b, c, hot }) => ({
  // Soft targets are differentiated too (∂/∂y = −log softmax); one-hot labels are i32.
  operands: [
    { shape: [b, c] },
    hot ? { shape: [b], domain: { kind: 'index', n: c } as Domain } : { shape: [b, c] },
  ],
  build: ([x, y]: readonly Node[]) =>
    C.softmaxCrossEntropy(x!, y!.dtype === 'i32' ? C.oneHot(y!, c) : y!),
  note: `logits[${b},${c}] ${hot ? 'one-hot labels' : 'soft targets'}`,
}));

const takeCases = ceCases.map(({ b, c }) => ({
  operands: [{ shape: [b, c] }, { shape: [b], domain: { kind: 'index', n: c } as Domain }],
  build: ([x, y]: readonly Node[]) => C.takeAlongLastAxis(x!, y!),
  note: `x[${b},${c}]`,
}));

const convCases = fc
  .record({
    n: dim(2),
    c: dim(2),
    o: dim(2),
    h: fc.integer({ min: 3, max: 5 }),
    w: fc.integer({ min: 3, max: 5 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: dim(2),
    padding: fc.integer({ min: 0, max: 1 }),
    bias: fc.boolean(),
  })
  .map(({ n, c, o, h, w, k, stride, padding, bias }) => ({
    operands: [{ shape: [n, c, h, w] }, { shape: [o, c, k, k] }, ...(bias ? [{ shape: [o] }] : [])],
    build: ([x, wt, b]: readonly Node[]) => conv2d(x!, wt!, b, { stride, padding }),
    note: `x[${n},${c},${h},${w}] w[${o},${c},${k},${k}] stride ${stride} pad ${padding}`,
  }));

const poolArb = fc
  .record({ k: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 3, max: 6 }) })
  .chain(({ k, h }) =>
    fc
      .tuple(fc.integer({ min: 1, max: k }), fc.integer({ min: k, max: 6 }))
      .map(([stride, w]) => ({ k, stride, shape: [1, 2, Math.max(h, k), w] })),
  );

function poolRow(name: string, f: (x: Node, k: number, s: number) => Node, domain: Domain) {
  const cases = poolArb.map(({ k, stride, shape }) => ({
    operands: [{ shape }],
    build: ([x]: readonly Node[]) => f(x!, k, stride),
    note: `x${fmt(shape)} k ${k} stride ${stride}`,
  }));
  return { name, domain, tol: 1e-6, order: 1 as const, cases };
}

const COMPOSITE: GradRow[] = [
  shaped('mean', shapeArb(1), reduceAttrs, (x, [ax, keep]) => C.mean(x, ax, keep)),
  shaped('variance', shapeArb(1), reduceAttrs, (x, [ax, keep]) => C.variance(x, ax, keep)),
  shaped('softmax', shapeArb(1), (s) => fc.integer({ min: 0, max: s.length - 1 }), C.softmax),
  shaped('logSoftmax', shapeArb(1), (s) => fc.integer({ min: 0, max: s.length - 1 }), C.logSoftmax),
  shaped('logsumexp', shapeArb(1), reduceAttrs, (x, [ax, keep]) => C.logsumexp(x, ax, keep)),
  { name: 'layerNorm', domain: ANY, tol: 1e-5, order: 2, cases: layerNormCases },
  shaped(
    'normalize',
    shapeArb(1),
    () => fc.constant(null),
    (x) => C.normalize(x),
    { tol: 1e-5 },
  ),
  unary('gelu', C.gelu),
  shaped('leakyRelu', shapeArb(), () => fc.double({ min: 0, max: 0.5, noNaN: true }), C.leakyRelu, {
    domain: AWAY,
  }),
  { name: 'softmaxCrossEntropy', domain: ANY, tol: 1e-6, order: 2, cases: softmaxCeCases },
  { name: 'takeAlongLastAxis', domain: ANY, tol: 1e-6, order: 2, cases: takeCases },
  { name: 'conv2d', domain: ANY, tol: 1e-6, order: 1, cases: convCases },
  poolRow('maxPool2d', maxPool2d, { kind: 'distinct' }),
  poolRow('avgPool2d', avgPool2d, ANY),
];

/** Differentiable ops that no row exercises, each with the reason. */
export const GRAD_EXCLUDED: { readonly [P in OpName]?: string } = {};

const dims2 = (minRank = 1) =>
  fc.array(fc.integer({ min: 2, max: 3 }), { minLength: minRank, maxLength: 3 });
const axisOf = (s: number[]) => fc.integer({ min: 0, max: s.length - 1 });

const stackCases = shapeArb(0, 2).chain((s) =>
  fc
    .tuple(fc.integer({ min: 0, max: s.length }), fc.integer({ min: 1, max: 3 }))
    .map(([axis, k]) => ({
      operands: Array.from({ length: k }, () => ({ shape: s })),
      build: (xs: readonly Node[]) => Sh.stack(xs, axis),
      note: `${k}×${fmt(s)} axis ${axis}`,
    })),
);

const takeAlongCases = shapeArb(1).chain((s) =>
  fc.tuple(axisOf(s), dim(4)).map(([axis, m]) => {
    const is = s.map((d, i) => (i === axis ? m : d));
    return {
      operands: [{ shape: s }, { shape: is, domain: { kind: 'index', n: s[axis]! } as Domain }],
      build: ([x, i]: readonly Node[]) => Sh.takeAlongAxis(x!, i!, axis),
      note: `x${fmt(s)} indices${fmt(is)} axis ${axis}`,
    };
  }),
);

const conv1dCases = fc
  .record({
    n: dim(2),
    c: dim(2),
    o: dim(2),
    l: fc.integer({ min: 3, max: 6 }),
    k: dim(3),
    stride: dim(2),
    padding: fc.integer({ min: 0, max: 1 }),
    bias: fc.boolean(),
  })
  .map(({ n, c, o, l, k, stride, padding, bias }) => ({
    operands: [{ shape: [n, c, l] }, { shape: [o, c, k] }, ...(bias ? [{ shape: [o] }] : [])],
    build: ([x, w, b]: readonly Node[]) => conv1d(x!, w!, b, { stride, padding }),
    note: `x[${n},${c},${l}] w[${o},${c},${k}] stride ${stride} pad ${padding}`,
  }));

const lossCases = (build: (a: Node, b: Node) => Node, db: Domain) =>
  fc.record({ b: dim(), c: fc.integer({ min: 2, max: 4 }) }).map(({ b, c }) => ({
    operands: [{ shape: [b, c] }, { shape: [b, c], domain: db, wrt: false }],
    build: ([x, y]: readonly Node[]) => build(x!, y!),
    note: `[${b},${c}]`,
  }));

const nllCases = ceCases.map(({ b, c }) => ({
  operands: [{ shape: [b, c] }, { shape: [b], domain: { kind: 'index', n: c } as Domain }],
  build: ([x, y]: readonly Node[]) => losses.nllLoss(C.logSoftmax(x!), y!),
  note: `logits[${b},${c}]`,
}));

/**
 * einsum forms: batched matmul, attention scores, transpose, diagonal, trace, outer, ellipsis,
 * size-1 broadcast, chain.
 */
const einsumCases = fc
  .constantFrom<[string, number[][]]>(
    [
      'bij,bjk->bik',
      [
        [2, 2, 3],
        [2, 3, 2],
      ],
    ],
    [
      'bhqd,bhkd->bhqk',
      [
        [1, 2, 2, 3],
        [1, 2, 3, 3],
      ],
    ],
    ['ij->ji', [[2, 3]]],
    ['ii->i', [[3, 3]]],
    ['ii', [[3, 3]]],
    ['i,j->ij', [[2], [3]]],
    // Ellipses broadcast together; a size-1 axis of a letter broadcasts; '...i->i' sums them.
    [
      '...ij,...jk->...ik',
      [
        [2, 1, 2, 3],
        [2, 3, 2],
      ],
    ],
    ['...i->i', [[2, 3]]],
    [
      'ij,jk->ik',
      [
        [2, 1],
        [3, 2],
      ],
    ],
    [
      'ij,jk,kl->il',
      [
        [2, 3],
        [3, 2],
        [2, 2],
      ],
    ],
  )
  .map(([spec, shapes]) => ({
    operands: shapes.map((shape) => ({ shape })),
    build: (xs: readonly Node[]) => einsum(spec, ...xs),
    note: spec,
  }));

/** conv2d with dilation and groups, and the transposed convolution (x [n, c·g, h, w]). */
const convOptCases = (transposed: boolean) =>
  fc
    .record({
      n: dim(2),
      c: dim(2),
      o: dim(2),
      g: dim(2),
      h: fc.integer({ min: 3, max: 5 }),
      k: fc.integer({ min: 1, max: 2 }),
      stride: dim(2),
      padding: fc.integer({ min: 0, max: 1 }),
      dilation: dim(2),
    })
    // A dilated window can outgrow a small input (width h + 1, kernel width k + 1): skip those.
    .filter((r) => transposed || r.h + 2 * r.padding >= r.dilation * r.k)
    .map(({ n, c, o, g, h, k, stride, padding, dilation }) => {
      const xs = [n, c * g, h, h + 1];
      const ws = transposed ? [c * g, o, k, k + 1] : [o * g, c, k, k + 1];
      const outputPadding = transposed && stride > 1 ? 1 : 0;
      const opts = { stride, padding, dilation, groups: g, outputPadding };
      return {
        operands: [{ shape: xs }, { shape: ws }],
        build: ([x, w]: readonly Node[]) =>
          transposed ? convTranspose2d(x!, w!, undefined, opts) : conv2d(x!, w!, undefined, opts),
        note: `x${fmt(xs)} w${fmt(ws)} ${JSON.stringify(opts)}`,
      };
    });

const convT1dCases = fc
  .record({ l: fc.integer({ min: 2, max: 4 }), k: dim(3), stride: dim(2), bias: fc.boolean() })
  .map(({ l, k, stride, bias }) => ({
    operands: [{ shape: [1, 2, l] }, { shape: [2, 3, k] }, ...(bias ? [{ shape: [3] }] : [])],
    build: ([x, w, b]: readonly Node[]) => convTranspose1d(x!, w!, b, { stride, padding: 0 }),
    note: `x[1,2,${l}] w[2,3,${k}] stride ${stride}`,
  }));

const groupNormCases = fc
  .record({ n: dim(2), g: dim(2), cg: dim(2), l: dim(3), affine: fc.boolean() })
  .map(({ n, g, cg, l, affine }) => ({
    operands: [
      { shape: [n, g * cg, l] },
      ...(affine ? [{ shape: [g * cg] }, { shape: [g * cg] }] : []),
    ],
    build: ([x, gm, bt]: readonly Node[]) => C.groupNorm(x!, g, gm, bt),
    note: `x[${n},${g * cg},${l}] groups ${g}`,
  }));

/** The composites with PyTorch's names (activations, reductions, movement, conv1d, losses). */
const TORCH_NAMED: GradRow[] = [
  unary('silu', A.silu),
  unary('elu', (x) => A.elu(x, 0.7), AWAY),
  unary('geluExact', A.geluExact),
  unary('softplus β=2', (x) => A.softplus(x, 2), U(-3, 3)),
  unary('clamp', (x) => A.clamp(x, -0.5, 0.7), { kind: 'lattice', parity: 0 }),
  shaped('amin', shapeArb(1), reduceAttrs, (x, [ax, keep]) => R.amin(x, ax, keep), {
    domain: { kind: 'distinct' },
  }),
  shaped('prod', shapeArb(1), reduceAttrs, (x, [ax, keep]) => R.prod(x, ax, keep), { tol: 1e-5 }),
  shaped(
    'cumsum',
    shapeArb(1, 3, 4),
    (s) => fc.tuple(axisOf(s), fc.boolean()),
    (x, [ax, rev]) => B.cumsum(x, ax, rev),
  ),
  shaped('std', dims2(), reduceAttrs, (x, [ax, keep]) => R.std(x, ax, keep), { tol: 1e-5 }),
  shaped(
    'norm',
    shapeArb(1),
    () => fc.constantFrom(1 as const, 2 as const),
    (x, p) => R.norm(x, p),
    {
      domain: AWAY,
      tol: 1e-5,
    },
  ),
  shaped('flip', shapeArb(1), (s) => axesArb(s.length), Sh.flip),
  shaped(
    'roll',
    shapeArb(1, 3, 4),
    (s) => fc.tuple(fc.integer({ min: -5, max: 5 }), axisOf(s)),
    (x, [k, ax]) => Sh.roll(x, k, ax),
  ),
  { name: 'stack', domain: ANY, tol: 1e-6, order: 2, cases: stackCases },
  shaped('tril', dims2(2), () => fc.integer({ min: -1, max: 1 }), Sh.tril),
  shaped('triu', dims2(2), () => fc.integer({ min: -1, max: 1 }), Sh.triu),
  { name: 'takeAlongAxis', domain: ANY, tol: 1e-6, order: 2, cases: takeAlongCases },
  { name: 'conv1d', domain: ANY, tol: 1e-6, order: 1, cases: conv1dCases },
  { name: 'einsum', domain: ANY, tol: 1e-6, order: 2, cases: einsumCases },
  { name: 'conv2d dilation+groups', domain: ANY, tol: 1e-6, order: 1, cases: convOptCases(false) },
  { name: 'convTranspose2d', domain: ANY, tol: 1e-6, order: 1, cases: convOptCases(true) },
  { name: 'convTranspose1d', domain: ANY, tol: 1e-6, order: 1, cases: convT1dCases },
  { name: 'groupNorm', domain: ANY, tol: 1e-5, order: 2, cases: groupNormCases },
  { name: 'nllLoss', domain: ANY, tol: 1e-6, order: 2, cases: nllCases },
  {
    name: 'klDiv',
    domain: ANY,
    tol: 1e-6,
    order: 2,
    cases: lossCases((x, p) => losses.klDiv(C.logSoftmax(x), p), U(0.05, 1)),
  },
  {
    name: 'huberLoss',
    domain: { kind: 'lattice', parity: 0 },
    tol: 1e-6,
    order: 2,
    // pred on one lattice, target on the other: |d| stays ≥ 0.14 away from δ = 0.5 (d ∈ 0.2 + 0.4k).
    cases: lossCases((x, y) => losses.huberLoss(x, y, 0.5), { kind: 'lattice', parity: 1 }),
  },
];

export const GRAD_TABLE: readonly GradRow[] = [
  ...ELEMENTWISE,
  ...MOVEMENT,
  ...INDEX,
  ...COMPOSITE,
  ...TORCH_NAMED,
];
