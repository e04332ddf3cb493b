// Kernel expressions → TypeScript source. Structurally equal subexpressions used more than once
// become `const` temporaries, so a fused loop body computes each value once.
import type { BinOp, Expr, UnOp } from '../../src/schedule/expr.ts';
import { renderWithTemps } from '../cse.ts';
import type { Rendered } from '../cse.ts';

/** One entry per scalar function: a missing one fails to typecheck. */
const UN: { readonly [P in UnOp]: (a: string) => string } = {
  neg: (a) => `-(${a})`,
  exp: (a) => `Math.exp(${a})`,
  log: (a) => `Math.log(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  recip: (a) => `1 / (${a})`,
  sin: (a) => `Math.sin(${a})`,
  cos: (a) => `Math.cos(${a})`,
  tanh: (a) => `Math.tanh(${a})`,
  sigmoid: (a) => `1 / (1 + Math.exp(-(${a})))`,
  relu: (a) => `Math.max(${a}, 0)`,
  abs: (a) => `Math.abs(${a})`,
  sign: (a) => `Math.sign(${a})`,
  not: (a) => `!(${a})`,
  wrap: (a) => `(${a} | 0)`,
  log1p: (a) => `Math.log1p(${a})`,
  expm1: (a) => `Math.expm1(${a})`,
  erf: (a) => `erf(${a})`,
  tan: (a) => `Math.tan(${a})`,
  asin: (a) => `Math.asin(${a})`,
  acos: (a) => `Math.acos(${a})`,
  atan: (a) => `Math.atan(${a})`,
  sinh: (a) => `Math.sinh(${a})`,
  cosh: (a) => `Math.cosh(${a})`,
  asinh: (a) => `Math.asinh(${a})`,
  atanh: (a) => `Math.atanh(${a})`,
  floor: (a) => `Math.floor(${a})`,
  ceil: (a) => `Math.ceil(${a})`,
  round: (a) => `roundEven(${a})`,
  trunc: (a) => `Math.trunc(${a})`,
};

/** Scalar functions that call a helper of the generated module (see scalar.ts). */
export const UN_HELPER: { readonly [P in UnOp]?: string } = { erf: 'erf', round: 'roundEven' };

/** One entry per binary operator: a missing one fails to typecheck. */
const BIN: { readonly [P in BinOp]: (a: string, b: string, t: Expr['t']) => string } = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b, t) => (t === 'f32' ? `(${a} / ${b})` : `Math.floor(${a} / ${b})`),
  mod: (a, b) => `(${a} % ${b})`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  max: (a, b) => `Math.max(${a}, ${b})`,
  min: (a, b) => `Math.min(${a}, ${b})`,
  eq: (a, b) => `(${a} === ${b})`,
  ne: (a, b) => `(${a} !== ${b})`,
  lt: (a, b) => `(${a} < ${b})`,
  le: (a, b) => `(${a} <= ${b})`,
  gt: (a, b) => `(${a} > ${b})`,
  ge: (a, b) => `(${a} >= ${b})`,
  and: (a, b) => `(${a} && ${b})`,
  or: (a, b) => `(${a} || ${b})`,
};

const COMPARE: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function num(v: number, t: Expr['t']): string {
  if (t === 'bool') return v ? 'true' : 'false';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '(-0)'; // String(-0) is '0'
  return v < 0 ? `(${v})` : String(v);
}

/**
 * Renders a group of expressions evaluated together (one loop iteration): returns the temporaries
 * to declare first and the text of each root.
 */
export function renderExprs(
  roots: readonly Expr[],
  bufName: (buf: string) => string,
  tempPrefix = 't',
): Rendered {
  const one = (e: Expr, r: (e: Expr) => string) => renderOne(e, r, bufName);
  return renderWithTemps(roots, one, (name, text) => `const ${name} = ${text};`, tempPrefix);
}

function renderOne(e: Expr, r: (e: Expr) => string, bufName: (b: string) => string): string {
  switch (e.k) {
    case 'num':
      return num(e.v, e.t);
    case 'var':
      return e.name;
    case 'acc':
      return 'acc';
    case 'load': {
      const v = `${bufName(e.buf)}[${r(e.at)}]`;
      return e.t === 'bool' ? `(${v} !== 0)` : v;
    }
    case 'un':
      // An int32 product: the float64 product of two large ints is inexact before the wrap.
      if (e.op === 'wrap' && e.a.k === 'bin' && e.a.op === 'mul') {
        return `Math.imul(${r(e.a.a)}, ${r(e.a.b)})`;
      }
      return `(${UN[e.op](r(e.a))})`;
    case 'bin': {
      // Comparisons see float32 values, as stored: a value recomputed in float64 inside a kernel
      // must equal its stored copy (max's gradient mask compares x with the stored max).
      const side = (x: Expr) =>
        COMPARE.has(e.op) && x.t === 'f32' && x.k !== 'load' && x.k !== 'num'
          ? `Math.fround(${r(x)})`
          : r(x);
      return BIN[e.op](side(e.a), side(e.b), e.a.t);
    }
    case 'sel':
      return `(${r(e.c)} ? ${r(e.a)} : ${r(e.b)})`;
    case 'cast':
      return renderCast(r(e.a), e.a.t, e.t);
    case 'rand':
      return `${e.dist === 'normal' ? 'randNormal' : 'randUniform'}(${e.seed}, ${r(e.counter)}, ${r(e.at)})`;
  }
}

function renderCast(a: string, from: Expr['t'], to: Expr['t']): string {
  if (from === 'bool') return `(${a} ? 1 : 0)`;
  if (to === 'bool') return `(${a} !== 0)`;
  // Toward zero, saturating at the i32 range; NaN becomes 0 when stored (`| 0` would wrap instead).
  if (to === 'i32') return `Math.max(-2147483648, Math.min(2147483647, Math.trunc(${a})))`;
  return a;
}

/** Value stored into a typed array: booleans become 0/1. */
export function storeValue(text: string, t: Expr['t']): string {
  return t === 'bool' ? `(${text} ? 1 : 0)` : text;
}
