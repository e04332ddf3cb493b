// Kernel expressions → WGSL. Typed literals (f32 `2f`, i32 `2i`), bool as i32 0/1 in buffers, and
// repeated subexpressions hoisted into `let` temporaries, as the TypeScript renderer does.
import type { DType } from '../../src/ir/dtype.ts';
import type { BinOp, Expr, UnOp } from '../../src/schedule/expr.ts';
import { childrenOf, visit } from '../../src/schedule/walk.ts';
import { renderWithTemps } from '../cse.ts';
import type { Rendered } from '../cse.ts';

/** Renders the element access `buf[idx]` (a plain binding, or an offset into an arena). */
export type Access = (buf: string, idx: string) => string;

/** The WGSL type of a value of `t` in registers, and in a buffer. */
export const wgslType = (t: DType): string => (t === 'f32' ? 'f32' : t === 'i32' ? 'i32' : 'bool');
export const storageType = (t: DType): string => (t === 'f32' ? 'f32' : 'i32');

const F32_BITS: Readonly<Record<string, string>> = {
  Infinity: '0x7f800000u',
  '-Infinity': '0xff800000u',
  NaN: '0x7fc00000u',
};

export function literal(v: number, t: DType): string {
  if (t === 'bool') return v ? 'true' : 'false';
  if (t === 'i32') {
    if (v === -2147483648) return 'i32(-2147483648)';
    return v < 0 ? `(${v}i)` : `${v}i`;
  }
  const f = Math.fround(v);
  const bits = F32_BITS[String(f)];
  // Not a constant expression: WGSL rejects infinities and NaN in constant evaluation.
  if (bits) return `f32_bits(${bits})`;
  const text = shortestF32(f).replace('e+', 'e');
  return f < 0 || Object.is(f, -0) ? `(${Object.is(f, -0) ? '-0' : text}f)` : `${text}f`;
}

/** The shortest decimal that rounds to the same float32 (0.1, not 0.10000000149011612). */
function shortestF32(f: number): string {
  for (let p = 1; p < 17; p++) {
    const n = Number(f.toPrecision(p));
    // Within the range too: WGSL rejects 3.4028235e38 (above the largest f32), not its full form.
    if (Math.fround(n) === f && Math.abs(n) <= 3.4028234663852886e38) return String(n);
  }
  return String(f);
}

/** A scalar function: its WGSL text, and the helper function it calls, if any (helpers.ts). */
interface UnRender {
  readonly text: (a: string, t: DType) => string;
  readonly helper?: string;
}
/** Functions the kernels call: buffers must never take these names (a var would shadow them). */
export const WGSL_CALLS = new Set<string>([
  'max',
  'min',
  'clamp',
  'select',
  'tanh',
  'exp',
  'pow',
  'atan2',
]);
const fn = (name: string, helper?: string): UnRender => {
  WGSL_CALLS.add(name);
  return { text: (a) => `${name}(${a})`, helper };
};

/** One entry per scalar function: a missing one fails to typecheck. */
const UN: { readonly [P in UnOp]: UnRender } = {
  neg: { text: (a) => `-(${a})` },
  exp: fn('exp'),
  log: fn('log'),
  sqrt: fn('sqrt'),
  recip: { text: (a) => `1f / (${a})` },
  sin: fn('sin'),
  cos: fn('cos'),
  // Clamped: tanh is ±1 in f32 beyond |x| = 15, and some drivers return NaN for large |x|.
  tanh: { text: (a) => `tanh(clamp(${a}, -15f, 15f))` },
  sigmoid: { text: (a) => `1f / (1f + exp(-(${a})))` },
  relu: { text: (a, t) => `max(${a}, ${literal(0, t)})` },
  abs: fn('abs'),
  sign: fn('sign'),
  not: { text: (a) => `!(${a})` },
  // WGSL's i32 arithmetic wraps already.
  wrap: { text: (a) => `(${a})` },
  log1p: fn('log1p_f', 'log1p_f'),
  expm1: fn('expm1_f', 'expm1_f'),
  // WGSL has no erf: a float32-accurate approximation (helpers.ts).
  erf: fn('erf_f', 'erf_f'),
  tan: fn('tan'),
  asin: fn('asin_f', 'asin_f'),
  acos: fn('acos_f', 'acos_f'),
  atan: fn('atan'),
  sinh: fn('sinh'),
  cosh: fn('cosh'),
  asinh: fn('asinh'),
  atanh: fn('atanh'),
  floor: fn('floor'),
  ceil: fn('ceil'),
  // WGSL's round already breaks ties to even, as the reference does.
  round: fn('round'),
  trunc: fn('trunc'),
};

/** Provably ≥ 0: loop variables, non-negative literals, and +, ·, ÷, mod of such. */
function nonNegative(e: Expr): boolean {
  switch (e.k) {
    case 'var':
      return true;
    case 'num':
      return e.v >= 0;
    case 'bin':
      return ['add', 'mul', 'div', 'mod'].includes(e.op) && nonNegative(e.a) && nonNegative(e.b);
    default:
      return false;
  }
}

type BinExpr = Extract<Expr, { k: 'bin' }>;
const infix =
  (op: string) =>
  (_e: BinExpr, a: string, b: string): string =>
    `(${a} ${op} ${b})`;

/** One entry per binary operator: a missing one fails to typecheck. */
const BIN: { readonly [P in BinOp]: (e: BinExpr, a: string, b: string) => string } = {
  add: infix('+'),
  sub: infix('-'),
  mul: infix('*'),
  // Integer division floors (as in the reference); truncation agrees when both are ≥ 0.
  div: (e, a, b) =>
    e.a.t !== 'i32' || (nonNegative(e.a) && nonNegative(e.b))
      ? `(${a} / ${b})`
      : `div_floor(${a}, ${b})`,
  mod: infix('%'),
  pow: (_e, a, b) => `pow_js(${a}, ${b})`,
  max: (_e, a, b) => `max(${a}, ${b})`,
  min: (_e, a, b) => `min(${a}, ${b})`,
  eq: infix('=='),
  ne: infix('!='),
  lt: infix('<'),
  le: infix('<='),
  gt: infix('>'),
  ge: infix('>='),
  and: infix('&&'),
  or: infix('||'),
};

function renderCast(a: string, from: DType, to: DType): string {
  if (from === 'bool') return `select(${literal(0, to)}, ${literal(1, to)}, ${a})`;
  if (to === 'bool') return `(${a} != ${literal(0, from)})`;
  if (from === 'f32' && to === 'i32') return `i32_sat(${a})`;
  return `${to}(${a})`;
}

function renderOne(e: Expr, r: (e: Expr) => string, access: Access): string {
  switch (e.k) {
    case 'num':
      return literal(e.v, e.t);
    case 'var':
      return e.name;
    case 'acc':
      return 'acc';
    case 'load': {
      const v = access(e.buf, r(e.at));
      return e.t === 'bool' ? `(${v} != 0i)` : v;
    }
    case 'un':
      return `(${UN[e.op].text(r(e.a), e.t)})`;
    case 'bin':
      return BIN[e.op](e, r(e.a), r(e.b));
    case 'sel':
      return `select(${r(e.b)}, ${r(e.a)}, ${r(e.c)})`;
    case 'cast':
      return renderCast(r(e.a), e.a.t, e.t);
    case 'rand': {
      const fn = e.dist === 'normal' ? 'rand_normal' : 'rand_uniform';
      return `${fn}(${e.seed >>> 0}u, bitcast<u32>(${r(e.counter)}), bitcast<u32>(${r(e.at)}))`;
    }
  }
}

/**
 * Renders expressions evaluated together (one invocation): `let` temporaries for values used
 * more than once, then the text of each root.
 */
export function renderExprs(roots: readonly Expr[], access: Access, tempPrefix = 't'): Rendered {
  const one = (e: Expr, r: (e: Expr) => string) => renderOne(e, r, access);
  // Deep subexpressions go first as extra roots: used twice, each becomes a `let`.
  const deep = deepNodes(roots);
  const declare = (name: string, text: string) => `let ${name} = ${text};`;
  const r = renderWithTemps([...deep, ...roots], one, declare, tempPrefix);
  return { temps: r.temps, roots: r.roots.slice(deep.length) };
}

/** Tint's parser rejects deep nesting (a sum of 130 gradient norms): a `let` every 24 levels. */
const MAX_NEST = 24;

/** Subexpressions whose height is a positive multiple of MAX_NEST, innermost first. */
function deepNodes(roots: readonly Expr[]): Expr[] {
  const height = new Map<Expr, number>();
  const stack: [Expr, boolean][] = roots.map((e) => [e, false]);
  while (stack.length) {
    const [e, done] = stack.pop()!;
    if (height.has(e)) continue;
    const kids = childrenOf(e);
    if (done || kids.length === 0) {
      height.set(e, kids.length ? 1 + Math.max(...kids.map((c) => height.get(c)!)) : 0);
      continue;
    }
    stack.push([e, true], ...kids.map((c): [Expr, boolean] => [c, false]));
  }
  const deep = [...height].filter(([, h]) => h > 0 && h % MAX_NEST === 0);
  return deep.sort((a, b) => a[1] - b[1]).map(([e]) => e);
}

/** The value written into a buffer element: booleans become i32 0/1. */
export function storeValue(text: string, t: DType): string {
  return t === 'bool' ? `select(0i, 1i, ${text})` : text;
}

/** Which helper functions the expressions need (emitted once per module). */
export function helpersUsed(exprs: readonly Expr[], into: Set<string>): void {
  visit(exprs, (e) => {
    if (e.k === 'rand') into.add(e.dist === 'normal' ? 'rand_normal' : 'rand_uniform');
    if (e.k === 'bin' && e.op === 'pow') into.add('pow_js');
    const h = e.k === 'un' ? UN[e.op].helper : undefined;
    if (h) into.add(h);
    if (e.k === 'bin' && e.op === 'div' && e.a.t === 'i32') into.add('div_floor');
    if (e.k === 'cast' && e.a.t === 'f32' && e.t === 'i32') into.add('i32_sat');
  });
}
