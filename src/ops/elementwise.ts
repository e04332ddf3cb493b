// Elementwise primitives: unary math, binary arithmetic, comparisons, where, cast, stop_gradient.
// Each entry keeps its float64 eval, derivative rule, chain-rule text and lowering side by side.
import * as B from '../builder/ops.ts';
import type { DType } from '../ir/dtype.ts';
import type { Node } from '../ir/node.ts';
import { sameShape } from '../ir/shape.ts';
import * as E from '../schedule/expr.ts';
import type { Expr } from '../schedule/expr.ts';
import type { OpDef, Inferred, OpFacts, VjpRule } from './def.ts';
import { erf64, round64 } from './scalar.ts';
import type { BinaryOp, CompareOp, UnaryOp } from './names.ts';

function inferSame(ins: readonly Node[], floatOnly: boolean, out?: DType): Inferred {
  const first = ins[0]!;
  for (const x of ins) {
    if (!sameShape(x.shape, first.shape)) return 'operands must have the same shape';
    if (x.dtype !== first.dtype) return `dtype mismatch: ${ins.map((y) => y.dtype).join(' vs ')}`;
  }
  if (first.dtype === 'bool') return `dtype bool is not allowed (cast it first)`;
  if (floatOnly && first.dtype !== 'f32') return `dtype ${first.dtype}: needs f32`;
  return { shape: first.shape, dtype: out ?? first.dtype };
}

function map1(f: (x: number) => number) {
  return (ins: readonly Float64Array[]): Float64Array => ins[0]!.map(f);
}

function map2(f: (a: number, b: number) => number) {
  return (ins: readonly Float64Array[]): Float64Array => {
    const [a, b] = [ins[0]!, ins[1]!];
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
    return out;
  };
}

const sigmoid64 = (x: number): number => 1 / (1 + Math.exp(-x));
/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|). */
const softplus64 = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

const CHEAP: OpFacts<UnaryOp> = { cost: 1, uniform: 'pointwise' };
const COSTLY: OpFacts<UnaryOp> = { cost: 4, uniform: 'pointwise' };

interface UnarySpec {
  readonly f: (x: number) => number;
  /** The kernel expression: one scalar function, or a small expression over the input. */
  readonly lower: E.UnOp | ((x: Expr) => Expr);
  /** null: the derivative is zero almost everywhere (sign, floor, …). */
  readonly vjp: VjpRule<UnaryOp> | null;
  readonly step: string;
  /** Integer-valued inputs are rejected (the op is a real function). */
  readonly float?: boolean;
  readonly facts?: OpFacts<UnaryOp>;
}

function unaryDef(s: UnarySpec): OpDef<UnaryOp> {
  const lower = s.lower;
  const rule = s.vjp ?? (() => null);
  return {
    arity: 1,
    infer: (ins) => inferSame(ins, s.float ?? true),
    eval: map1(s.f),
    vjp: [{ rule, step: s.step }],
    lower: {
      kind: 'expr',
      expr: (c) => {
        const e =
          typeof lower === 'string' ? E.un(lower, c.input(0, c.idx)) : lower(c.input(0, c.idx));
        // −(−2³¹) and |−2³¹| overflow int32: they wrap to −2³¹, as in PyTorch.
        return lower === 'neg' || lower === 'abs' ? E.wrapInt(e) : e;
      },
    },
    facts: s.facts ?? COSTLY,
  };
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const unaryOps: { readonly [P in UnaryOp]: OpDef<P> } = {
  neg: unaryDef({
    f: (x) => -x,
    lower: 'neg',
    vjp: (g) => B.neg(g),
    step: '∂L/∂{0} = −∂L/∂{out}',
    float: false,
    facts: CHEAP,
  }),
  exp: unaryDef({
    f: Math.exp,
    lower: 'exp',
    vjp: (g, y) => B.mul(g, y),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ {out}',
  }),
  log: unaryDef({
    f: Math.log,
    lower: 'log',
    vjp: (g, _y, [x]) => B.div(g, x!),
    step: '∂L/∂{0} = ∂L/∂{out} / {0}',
  }),
  sqrt: unaryDef({
    f: Math.sqrt,
    lower: 'sqrt',
    vjp: (g, y) => B.div(B.mul(g, 0.5), y),
    step: '∂L/∂{0} = ∂L/∂{out} / (2·{out})',
  }),
  reciprocal: unaryDef({
    f: (x) => 1 / x,
    lower: 'recip',
    vjp: (g, y) => B.neg(B.mul(g, B.mul(y, y))),
    step: '∂L/∂{0} = −∂L/∂{out} ⊙ {out}²',
  }),
  sin: unaryDef({
    f: Math.sin,
    lower: 'sin',
    vjp: (g, _y, [x]) => B.mul(g, B.cos(x!)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ cos {0}',
  }),
  cos: unaryDef({
    f: Math.cos,
    lower: 'cos',
    vjp: (g, _y, [x]) => B.neg(B.mul(g, B.sin(x!))),
    step: '∂L/∂{0} = −∂L/∂{out} ⊙ sin {0}',
  }),
  tanh: unaryDef({
    f: Math.tanh,
    lower: 'tanh',
    vjp: (g, y) => B.mul(g, B.sub(1, B.mul(y, y))),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ (1 − {out}²)',
  }),
  sigmoid: unaryDef({
    f: sigmoid64,
    lower: 'sigmoid',
    vjp: (g, y) => B.mul(B.mul(g, y), B.sub(1, y)),
    step: "∂L/∂{0} = ∂L/∂{out} ⊙ σ'({0}) = ∂L/∂{out} ⊙ {out}(1 − {out})",
  }),
  relu: unaryDef({
    f: (x) => (x > 0 || Number.isNaN(x) ? x : 0), // NaN stays NaN, as torch.relu and every target
    lower: 'relu',
    vjp: (g, _y, [x]) => B.where(B.gt(x!, 0), g, 0),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ [{0} > 0]',
    float: false,
    facts: CHEAP,
  }),
  abs: unaryDef({
    f: Math.abs,
    lower: 'abs',
    vjp: (g, _y, [x]) => B.mul(g, B.sign(x!)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ sign {0}',
    float: false,
    facts: CHEAP,
  }),
  sign: unaryDef({
    // As the targets (and numpy, JAX): NaN stays NaN, ±0 keeps its sign; torch.sign(NaN) is 0.
    f: Math.sign,
    lower: 'sign',
    vjp: null,
    step: '∂L/∂{0} = 0',
    float: false,
    facts: CHEAP,
  }),
  log1p: unaryDef({
    f: Math.log1p,
    lower: 'log1p',
    vjp: (g, _y, [x]) => B.div(g, B.add(x!, 1)),
    step: '∂L/∂{0} = ∂L/∂{out} / (1 + {0})',
  }),
  expm1: unaryDef({
    f: Math.expm1,
    lower: 'expm1',
    vjp: (g, y) => B.mul(g, B.add(y, 1)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ ({out} + 1)',
  }),
  // One entry and no new scalar function: the kernel expression is built from existing ones.
  softplus: unaryDef({
    f: softplus64,
    lower: (x) =>
      E.bin('add', E.un('relu', x), E.un('log1p', E.un('exp', E.un('neg', E.un('abs', x))))),
    vjp: (g, _y, [x]) => B.mul(g, B.sigmoid(x!)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ σ({0})',
  }),
  erf: unaryDef({
    f: erf64,
    lower: 'erf',
    vjp: (g, _y, [x]) => B.mul(g, B.mul(B.exp(B.neg(B.mul(x!, x!))), TWO_OVER_SQRT_PI)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ (2/√π)·exp(−{0}²)',
  }),
  tan: unaryDef({
    f: Math.tan,
    lower: 'tan',
    vjp: (g, y) => B.mul(g, B.add(B.mul(y, y), 1)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ (1 + {out}²)',
  }),
  asin: unaryDef({
    f: Math.asin,
    lower: 'asin',
    vjp: (g, _y, [x]) => B.div(g, B.sqrt(B.sub(1, B.mul(x!, x!)))),
    step: '∂L/∂{0} = ∂L/∂{out} / √(1 − {0}²)',
  }),
  acos: unaryDef({
    f: Math.acos,
    lower: 'acos',
    vjp: (g, _y, [x]) => B.neg(B.div(g, B.sqrt(B.sub(1, B.mul(x!, x!))))),
    step: '∂L/∂{0} = −∂L/∂{out} / √(1 − {0}²)',
  }),
  atan: unaryDef({
    f: Math.atan,
    lower: 'atan',
    vjp: (g, _y, [x]) => B.div(g, B.add(B.mul(x!, x!), 1)),
    step: '∂L/∂{0} = ∂L/∂{out} / (1 + {0}²)',
  }),
  sinh: unaryDef({
    f: Math.sinh,
    lower: 'sinh',
    vjp: (g, _y, [x]) => B.mul(g, B.cosh(x!)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ cosh {0}',
  }),
  cosh: unaryDef({
    f: Math.cosh,
    lower: 'cosh',
    vjp: (g, _y, [x]) => B.mul(g, B.sinh(x!)),
    step: '∂L/∂{0} = ∂L/∂{out} ⊙ sinh {0}',
  }),
  asinh: unaryDef({
    f: Math.asinh,
    lower: 'asinh',
    vjp: (g, _y, [x]) => B.div(g, B.sqrt(B.add(B.mul(x!, x!), 1))),
    step: '∂L/∂{0} = ∂L/∂{out} / √({0}² + 1)',
  }),
  atanh: unaryDef({
    f: Math.atanh,
    lower: 'atanh',
    vjp: (g, _y, [x]) => B.div(g, B.sub(1, B.mul(x!, x!))),
    step: '∂L/∂{0} = ∂L/∂{out} / (1 − {0}²)',
  }),
  floor: unaryDef({
    f: Math.floor,
    lower: 'floor',
    vjp: null,
    step: '∂L/∂{0} = 0',
    facts: CHEAP,
  }),
  ceil: unaryDef({ f: Math.ceil, lower: 'ceil', vjp: null, step: '∂L/∂{0} = 0', facts: CHEAP }),
  // Ties go to the even neighbour, as in PyTorch and WGSL.
  round: unaryDef({ f: round64, lower: 'round', vjp: null, step: '∂L/∂{0} = 0', facts: CHEAP }),
  // Toward zero, as torch.trunc: a new scalar function (see test/ops/unary-targets.test.ts).
  trunc: unaryDef({ f: Math.trunc, lower: 'trunc', vjp: null, step: '∂L/∂{0} = 0', facts: CHEAP }),
};

const BIN_EXPR: { readonly [P in BinaryOp]: E.BinOp } = {
  add: 'add',
  sub: 'sub',
  mul: 'mul',
  div: 'div',
  pow: 'pow',
  maximum: 'max',
  minimum: 'min',
};

/** int32 multiplication: the float64 product of two large ints is not exact, Math.imul is. */
const I32_EVAL: { readonly [P in BinaryOp]?: (a: number, b: number) => number } = {
  mul: Math.imul,
};

/** maximum/minimum as PyTorch: no cotangent to the loser, half at a tie, all beside a NaN. */
const tieSplit =
  (loses: (a: Node, b: Node) => Node): VjpRule<BinaryOp> =>
  (g, _y, [a, b]) =>
    B.where(loses(a!, b!), 0, B.where(B.eq(a!, b!), B.mul(g, 0.5), g));

function binaryDef(
  op: BinaryOp,
  f: (a: number, b: number) => number,
  rules: readonly [VjpRule<BinaryOp>, VjpRule<BinaryOp>],
  steps: readonly [string, string],
  cost = 1,
): OpDef<BinaryOp> {
  const f32 = map2(f);
  const i32 = map2(I32_EVAL[op] ?? f);
  return {
    arity: 2,
    infer: (ins) => inferSame(ins, op === 'pow' || op === 'div'),
    eval: (ins, _a, n) => (n.dtype === 'i32' ? i32 : f32)(ins),
    vjp: rules.map((rule, i) => ({ rule, step: steps[i]! })),
    lower: {
      kind: 'expr',
      expr: (c) => {
        const e = E.bin(BIN_EXPR[op], c.input(0, c.idx), c.input(1, c.idx));
        return op === 'add' || op === 'sub' || op === 'mul' ? E.wrapInt(e) : e;
      },
    },
    facts: { cost, uniform: 'pointwise' },
  };
}

export const binaryOps: { readonly [P in BinaryOp]: OpDef<P> } = {
  add: binaryDef(
    'add',
    (a, b) => a + b,
    [(g) => g, (g) => g],
    ['∂L/∂{0} = ∂L/∂{out}', '∂L/∂{1} = ∂L/∂{out}'],
  ),
  sub: binaryDef(
    'sub',
    (a, b) => a - b,
    [(g) => g, (g) => B.neg(g)],
    ['∂L/∂{0} = ∂L/∂{out}', '∂L/∂{1} = −∂L/∂{out}'],
  ),
  mul: binaryDef(
    'mul',
    (a, b) => a * b,
    [(g, _y, [, b]) => B.mul(g, b!), (g, _y, [a]) => B.mul(g, a!)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ {1}', '∂L/∂{1} = ∂L/∂{out} ⊙ {0}'],
  ),
  div: binaryDef(
    'div',
    (a, b) => a / b,
    [(g, _y, [, b]) => B.div(g, b!), (g, y, [, b]) => B.neg(B.div(B.mul(g, y), b!))],
    ['∂L/∂{0} = ∂L/∂{out} / {1}', '∂L/∂{1} = −∂L/∂{out} ⊙ {out} / {1}'],
    4,
  ),
  // The limits hold, as in PyTorch: ∂(a⁰)/∂a = 0, ∂(0ᵇ)/∂b = 0 for b ≥ 0. A masked operand is 1
  // before use (no NaN reaches a where); only 0⁰ is, so ∂/∂b of b·a^(b−1) is a^(b−1) at b = 0.
  pow: binaryDef(
    'pow',
    Math.pow,
    [
      (g, _y, [a, b]) => {
        const safeA = B.where(B.where(B.eq(b!, 0), B.eq(a!, 0), 0), 1, a!);
        return B.mul(g, B.mul(b!, B.pow(safeA, B.sub(b!, 1))));
      },
      (g, y, [a, b]) => {
        const zeroBase = B.where(B.eq(a!, 0), B.ge(b!, 0), 0);
        return B.mul(B.mul(g, y), B.log(B.where(zeroBase, 1, a!)));
      },
    ],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ {1}·{0}^({1}−1)', '∂L/∂{1} = ∂L/∂{out} ⊙ {out}·log {0}'],
    4,
  ),
  maximum: binaryDef(
    'maximum',
    Math.max,
    [tieSplit(B.lt), tieSplit(B.gt)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ [{0} ≥ {1}] (½ if =)', '∂L/∂{1} = ∂L/∂{out} ⊙ [{0} ≤ {1}] (½ if =)'],
  ),
  minimum: binaryDef(
    'minimum',
    Math.min,
    [tieSplit(B.gt), tieSplit(B.lt)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ [{0} ≤ {1}] (½ if =)', '∂L/∂{1} = ∂L/∂{out} ⊙ [{0} ≥ {1}] (½ if =)'],
  ),
};

function compareDef(op: CompareOp, f: (a: number, b: number) => boolean): OpDef<CompareOp> {
  return {
    arity: 2,
    infer: (ins) => {
      const [a, b] = ins;
      if (!sameShape(a!.shape, b!.shape)) return 'operands must have the same shape';
      if (a!.dtype !== b!.dtype) return `dtype mismatch: ${a!.dtype} vs ${b!.dtype}`;
      return { shape: a!.shape, dtype: 'bool' };
    },
    eval: map2((a, b) => (f(a, b) ? 1 : 0)),
    vjp: null,
    lower: { kind: 'expr', expr: (c) => E.bin(op, c.input(0, c.idx), c.input(1, c.idx)) },
    facts: { uniform: 'pointwise' },
  };
}

export const compareOps: { readonly [P in CompareOp]: OpDef<P> } = {
  eq: compareDef('eq', (a, b) => a === b),
  ne: compareDef('ne', (a, b) => a !== b),
  lt: compareDef('lt', (a, b) => a < b),
  le: compareDef('le', (a, b) => a <= b),
  gt: compareDef('gt', (a, b) => a > b),
  ge: compareDef('ge', (a, b) => a >= b),
};

export const where: OpDef<'where'> = {
  arity: 3,
  infer: ([c, a, b]) => {
    if (c!.dtype !== 'bool') return `dtype ${c!.dtype}: the condition must be bool`;
    if (!sameShape(c!.shape, a!.shape) || !sameShape(a!.shape, b!.shape)) {
      return 'operands must have the same shape';
    }
    if (a!.dtype !== b!.dtype) return `dtype mismatch: ${a!.dtype} vs ${b!.dtype}`;
    return { shape: a!.shape, dtype: a!.dtype };
  },
  eval: ([c, a, b]) => c!.map((v, i) => (v ? a![i]! : b![i]!)),
  vjp: [
    { rule: () => null, step: '' },
    { rule: (g, _y, [c]) => B.where(c!, g, 0), step: '∂L/∂{1} = ∂L/∂{out} ⊙ [{0}]' },
    { rule: (g, _y, [c]) => B.where(c!, 0, g), step: '∂L/∂{2} = ∂L/∂{out} ⊙ [¬{0}]' },
  ],
  lower: {
    kind: 'expr',
    expr: (c) => E.sel(c.input(0, c.idx), c.input(1, c.idx), c.input(2, c.idx)),
  },
  facts: { uniform: 'pointwise' },
};

/**
 * f32 → i32 rounds toward zero and saturates: out-of-range values clamp to the i32 range and NaN
 * becomes 0 (JAX/XLA's rule and wasm's trunc_sat; PyTorch leaves it undefined).
 */
export function saturateI32(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(x)));
}

export const cast: OpDef<'cast'> = {
  arity: 1,
  infer: ([x], a) => ({ shape: x!.shape, dtype: a.dtype }),
  eval: ([x], a) =>
    a.dtype === 'i32'
      ? x!.map(saturateI32)
      : a.dtype === 'bool'
        ? x!.map((v) => (v ? 1 : 0))
        : x!.slice(),
  vjp: [
    {
      rule: (g, y, [x]) => (x!.dtype === 'f32' && y.dtype === 'f32' ? g : null),
      step: '∂L/∂{0} = ∂L/∂{out}',
    },
  ],
  lower: { kind: 'expr', expr: (c, a) => E.cast(c.input(0, c.idx), a.dtype) },
  facts: { uniform: 'pointwise', quietName: true },
};

export const stopGradient: OpDef<'stop_gradient'> = {
  arity: 1,
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  eval: ([x]) => x!.slice(),
  vjp: [{ rule: () => null, step: '' }],
  lower: { kind: 'expr', expr: (c) => c.input(0, c.idx) },
  facts: { cost: 0, view: true, uniform: 'first', quietName: true },
};
