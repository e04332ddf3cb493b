// Kernel expressions → TypeScript source. Structurally equal subexpressions used more than once
// become `const` temporaries, so a fused loop body computes each value once.
import type { Expr } from '../../src/schedule/expr.ts';
import { renderWithTemps } from '../cse.ts';
import type { Rendered } from '../cse.ts';

const UN: Readonly<Record<string, (a: string) => string>> = {
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
};

const BIN_OP: Readonly<Record<string, string>> = {
  add: '+',
  sub: '-',
  mul: '*',
  eq: '===',
  ne: '!==',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  and: '&&',
  or: '||',
  mod: '%',
};

const COMPARE: ReadonlySet<string> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

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
      return `(${UN[e.op]!(r(e.a))})`;
    case 'bin': {
      // Comparisons see float32 values, as stored: a value recomputed in float64 inside a kernel
      // must equal its stored copy (max's gradient mask compares x with the stored max).
      const side = (x: Expr) =>
        COMPARE.has(e.op) && x.t === 'f32' && x.k !== 'load' && x.k !== 'num'
          ? `Math.fround(${r(x)})`
          : r(x);
      return renderBin(e.op, side(e.a), side(e.b), e.a.t);
    }
    case 'sel':
      return `(${r(e.c)} ? ${r(e.a)} : ${r(e.b)})`;
    case 'cast':
      return renderCast(r(e.a), e.a.t, e.t);
    case 'rand':
      return `${e.dist === 'normal' ? 'randNormal' : 'randUniform'}(${e.seed}, ${r(e.counter)}, ${r(e.at)})`;
  }
}

function renderBin(op: string, a: string, b: string, t: Expr['t']): string {
  switch (op) {
    case 'div':
      return t === 'f32' ? `(${a} / ${b})` : `Math.floor(${a} / ${b})`;
    case 'pow':
      return `Math.pow(${a}, ${b})`;
    case 'max':
      return `Math.max(${a}, ${b})`;
    case 'min':
      return `Math.min(${a}, ${b})`;
    default:
      return `(${a} ${BIN_OP[op]!} ${b})`;
  }
}

function renderCast(a: string, from: Expr['t'], to: Expr['t']): string {
  if (from === 'bool') return `(${a} ? 1 : 0)`;
  if (to === 'bool') return `(${a} !== 0)`;
  if (to === 'i32') return `Math.trunc(${a})`;
  return a;
}

/** Value stored into a typed array: booleans become 0/1. */
export function storeValue(text: string, t: Expr['t']): string {
  return t === 'bool' ? `(${text} ? 1 : 0)` : text;
}
