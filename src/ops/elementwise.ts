// Elementwise primitives: unary math, binary arithmetic, comparisons, where, cast, stop_gradient.
import * as B from '../builder/ops.ts';
import type { DType } from '../ir/dtype.ts';
import type { Node } from '../ir/node.ts';
import { sameShape } from '../ir/shape.ts';
import * as E from '../schedule/expr.ts';
import type { OpDef, Inferred, VjpRule } from './def.ts';
import type { BinaryOp, CompareOp, UnaryOp } from './names.ts';

const FLOAT_ONLY: ReadonlySet<string> = new Set([
  'exp',
  'log',
  'sqrt',
  'reciprocal',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'pow',
  'div',
]);

function inferSame(op: string, ins: readonly Node[], out?: DType): Inferred {
  const first = ins[0]!;
  for (const x of ins) {
    if (!sameShape(x.shape, first.shape)) return 'operands must have the same shape';
    if (x.dtype !== first.dtype) return `dtype mismatch: ${ins.map((y) => y.dtype).join(' vs ')}`;
  }
  if (first.dtype === 'bool') return `dtype bool is not allowed (cast it first)`;
  if (FLOAT_ONLY.has(op) && first.dtype !== 'f32') return `dtype ${first.dtype}: needs f32`;
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

function unaryDef(
  op: UnaryOp,
  f: (x: number) => number,
  e: E.UnOp,
  vjp: VjpRule<UnaryOp> | null,
  doc: string,
): OpDef<UnaryOp> {
  return {
    arity: 1,
    infer: (ins) => inferSame(op, ins),
    eval: map1(f),
    vjp,
    vjpDoc: [doc],
    lower: { kind: 'expr', expr: (c) => E.un(e, c.input(0, c.idx)) },
  };
}

export const unaryOps: { readonly [P in UnaryOp]: OpDef<P> } = {
  neg: unaryDef(
    'neg',
    (x) => -x,
    'neg',
    (g) => [B.neg(g)],
    '∂L/∂{0} = −∂L/∂{out}',
  ),
  exp: unaryDef('exp', Math.exp, 'exp', (g, y) => [B.mul(g, y)], '∂L/∂{0} = ∂L/∂{out} ⊙ {out}'),
  log: unaryDef(
    'log',
    Math.log,
    'log',
    (g, _y, [x]) => [B.div(g, x!)],
    '∂L/∂{0} = ∂L/∂{out} / {0}',
  ),
  sqrt: unaryDef(
    'sqrt',
    Math.sqrt,
    'sqrt',
    (g, y) => [B.div(B.mul(g, 0.5), y)],
    '∂L/∂{0} = ∂L/∂{out} / (2·{out})',
  ),
  reciprocal: unaryDef(
    'reciprocal',
    (x) => 1 / x,
    'recip',
    (g, y) => [B.neg(B.mul(g, B.mul(y, y)))],
    '∂L/∂{0} = −∂L/∂{out} ⊙ {out}²',
  ),
  sin: unaryDef(
    'sin',
    Math.sin,
    'sin',
    (g, _y, [x]) => [B.mul(g, B.cos(x!))],
    '∂L/∂{0} = ∂L/∂{out} ⊙ cos {0}',
  ),
  cos: unaryDef(
    'cos',
    Math.cos,
    'cos',
    (g, _y, [x]) => [B.neg(B.mul(g, B.sin(x!)))],
    '∂L/∂{0} = −∂L/∂{out} ⊙ sin {0}',
  ),
  tanh: unaryDef(
    'tanh',
    Math.tanh,
    'tanh',
    (g, y) => [B.mul(g, B.sub(1, B.mul(y, y)))],
    '∂L/∂{0} = ∂L/∂{out} ⊙ (1 − {out}²)',
  ),
  sigmoid: unaryDef(
    'sigmoid',
    sigmoid64,
    'sigmoid',
    (g, y) => [B.mul(B.mul(g, y), B.sub(1, y))],
    "∂L/∂{0} = ∂L/∂{out} ⊙ σ'({0}) = ∂L/∂{out} ⊙ {out}(1 − {out})",
  ),
  relu: unaryDef(
    'relu',
    (x) => (x > 0 ? x : 0),
    'relu',
    (g, _y, [x]) => [B.where(B.gt(x!, 0), g, 0)],
    '∂L/∂{0} = ∂L/∂{out} ⊙ [{0} > 0]',
  ),
  abs: unaryDef(
    'abs',
    Math.abs,
    'abs',
    (g, _y, [x]) => [B.mul(g, B.sign(x!))],
    '∂L/∂{0} = ∂L/∂{out} ⊙ sign {0}',
  ),
  sign: unaryDef(
    'sign',
    (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
    'sign',
    () => [null],
    '∂L/∂{0} = 0',
  ),
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

function binaryDef(
  op: BinaryOp,
  f: (a: number, b: number) => number,
  vjp: VjpRule<BinaryOp>,
  doc: readonly string[],
): OpDef<BinaryOp> {
  return {
    arity: 2,
    infer: (ins) => inferSame(op, ins),
    eval: map2(f),
    vjp,
    vjpDoc: doc,
    lower: { kind: 'expr', expr: (c) => E.bin(BIN_EXPR[op], c.input(0, c.idx), c.input(1, c.idx)) },
  };
}

export const binaryOps: { readonly [P in BinaryOp]: OpDef<P> } = {
  add: binaryDef(
    'add',
    (a, b) => a + b,
    (g) => [g, g],
    ['∂L/∂{0} = ∂L/∂{out}', '∂L/∂{1} = ∂L/∂{out}'],
  ),
  sub: binaryDef(
    'sub',
    (a, b) => a - b,
    (g) => [g, B.neg(g)],
    ['∂L/∂{0} = ∂L/∂{out}', '∂L/∂{1} = −∂L/∂{out}'],
  ),
  mul: binaryDef(
    'mul',
    (a, b) => a * b,
    (g, _y, [a, b]) => [B.mul(g, b!), B.mul(g, a!)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ {1}', '∂L/∂{1} = ∂L/∂{out} ⊙ {0}'],
  ),
  div: binaryDef(
    'div',
    (a, b) => a / b,
    (g, y, [, b]) => [B.div(g, b!), B.neg(B.div(B.mul(g, y), b!))],
    ['∂L/∂{0} = ∂L/∂{out} / {1}', '∂L/∂{1} = −∂L/∂{out} ⊙ {out} / {1}'],
  ),
  pow: binaryDef(
    'pow',
    Math.pow,
    (g, y, [a, b]) => [B.mul(g, B.mul(b!, B.pow(a!, B.sub(b!, 1)))), B.mul(B.mul(g, y), B.log(a!))],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ {1}·{0}^({1}−1)', '∂L/∂{1} = ∂L/∂{out} ⊙ {out}·log {0}'],
  ),
  maximum: binaryDef(
    'maximum',
    Math.max,
    (g, _y, [a, b]) => [B.where(B.ge(a!, b!), g, 0), B.where(B.lt(a!, b!), g, 0)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ [{0} ≥ {1}]', '∂L/∂{1} = ∂L/∂{out} ⊙ [{0} < {1}]'],
  ),
  minimum: binaryDef(
    'minimum',
    Math.min,
    (g, _y, [a, b]) => [B.where(B.le(a!, b!), g, 0), B.where(B.gt(a!, b!), g, 0)],
    ['∂L/∂{0} = ∂L/∂{out} ⊙ [{0} ≤ {1}]', '∂L/∂{1} = ∂L/∂{out} ⊙ [{0} > {1}]'],
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
  vjp: (g, _y, [c]) => [null, B.where(c!, g, 0), B.where(c!, 0, g)],
  vjpDoc: ['', '∂L/∂{1} = ∂L/∂{out} ⊙ [{0}]', '∂L/∂{2} = ∂L/∂{out} ⊙ [¬{0}]'],
  lower: {
    kind: 'expr',
    expr: (c) => E.sel(c.input(0, c.idx), c.input(1, c.idx), c.input(2, c.idx)),
  },
};

export const cast: OpDef<'cast'> = {
  arity: 1,
  infer: ([x], a) => ({ shape: x!.shape, dtype: a.dtype }),
  eval: ([x], a) =>
    a.dtype === 'i32'
      ? x!.map(Math.trunc)
      : a.dtype === 'bool'
        ? x!.map((v) => (v ? 1 : 0))
        : x!.slice(),
  vjp: (g, y, [x]) => [x!.dtype === 'f32' && y.dtype === 'f32' ? g : null],
  vjpDoc: ['∂L/∂{0} = ∂L/∂{out}'],
  lower: { kind: 'expr', expr: (c, a) => E.cast(c.input(0, c.idx), a.dtype) },
};

export const stopGradient: OpDef<'stop_gradient'> = {
  arity: 1,
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  eval: ([x]) => x!.slice(),
  vjp: () => [null],
  lower: { kind: 'expr', expr: (c) => c.input(0, c.idx) },
};
