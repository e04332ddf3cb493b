// Index expressions as affine functions of one loop variable: index = base + stride·v for every v
// in [0, extent), where base does not depend on v. The vector loops use this to load four lanes at
// once (stride 1), splat one element (stride 0) or gather (any other stride), with the base
// computed once per row in i32 arithmetic instead of per element. The kernel IR writes broadcasts
// and transposes as div/mod chains of a flat index; the rules below see through the common ones,
// using what is known about the base's divisors. Indices here are non-negative, so i32 division
// floors as the IR's division does.
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import { childrenOf } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP } from './encoder.ts';

export interface Affine {
  readonly base: Expr;
  readonly stride: number;
  /** A number known to divide base for every value of the other variables (0: base is 0). */
  readonly divisor: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

/** Whether `e` uses variable `v` (iterative: index expressions can be long chains). */
function uses(e: Expr, v: string): boolean {
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.k === 'var' && x.name === v) return true;
    stack.push(...childrenOf(x));
  }
  return false;
}

/** An index the row loops can compute: adds, constant products, div/mod, no loads or negatives. */
function plainIndex(e: Expr): boolean {
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.k === 'num' && (x.v < 0 || !Number.isInteger(x.v))) return false;
    if (x.k === 'bin' && !['add', 'mul', 'div', 'mod'].includes(x.op)) return false;
    if (x.k !== 'num' && x.k !== 'var' && x.k !== 'bin') return false;
    stack.push(...childrenOf(x));
  }
  return true;
}

/** index = base + stride·v over v in [0, extent), or null when no rule shows it. */
export function affineIn(e: Expr, v: string, extent: number): Affine | null {
  if (!plainIndex(e)) return null;
  const memo = new Map<Expr, Affine | null>();
  // Post-order over the expression's nodes without recursion.
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    if (memo.has(x)) continue;
    if (done) {
      memo.set(
        x,
        rule(x, v, extent, (c) => memo.get(c) ?? null),
      );
      continue;
    }
    stack.push([x, true]);
    for (const c of childrenOf(x)) stack.push([c, false]);
  }
  return memo.get(e) ?? null;
}

function rule(x: Expr, v: string, extent: number, of: (c: Expr) => Affine | null): Affine | null {
  if (x.k === 'num') return { base: x, stride: 0, divisor: x.v };
  if (x.k === 'var')
    return x.name === v
      ? { base: E.int(0), stride: 1, divisor: 0 }
      : { base: x, stride: 0, divisor: 1 };
  if (x.k !== 'bin') return null;
  const [a, b] = [of(x.a), of(x.b)];
  if (!a || !b) return null;
  if (x.op === 'add')
    return {
      base: E.iadd(a.base, b.base),
      stride: a.stride + b.stride,
      divisor: gcd(a.divisor, b.divisor),
    };
  if (x.op === 'mul') {
    const c = x.b.k === 'num' ? x.b.v : x.a.k === 'num' ? x.a.v : null;
    if (c === null) {
      if (a.stride !== 0 || b.stride !== 0) return null;
      return { base: E.imul(a.base, b.base), stride: 0, divisor: a.divisor * b.divisor };
    }
    const t = x.b.k === 'num' ? a : b;
    return { base: E.imul(t.base, E.int(c)), stride: t.stride * c, divisor: t.divisor * c };
  }
  if (x.b.k !== 'num' || b.stride !== 0) return null;
  const c = x.b.v;
  if (c <= 0) return null;
  const baseDiv = (d: number) => (d === 0 ? 0 : d % c === 0 ? d / c : 1);
  // g divides both the base and c; when every s·v lies in [0, g), adding it changes neither the
  // quotient by c nor the base's residue class: ⌊(b+sv)/c⌋ = ⌊b/c⌋, (b+sv) mod c = b mod c + sv.
  const g = a.divisor === 0 ? c : gcd(a.divisor, c);
  const inside = a.stride >= 0 && a.stride * (extent - 1) < g;
  if (x.op === 'div') {
    if (a.stride % c === 0)
      return { base: E.idiv(a.base, c), stride: a.stride / c, divisor: baseDiv(a.divisor) };
    if (inside) return { base: E.idiv(a.base, c), stride: 0, divisor: baseDiv(a.divisor) };
    return null;
  }
  if (x.op === 'mod') {
    if (a.stride % c === 0) return { base: E.imod(a.base, c), stride: 0, divisor: g };
    if (inside) return { base: E.imod(a.base, c), stride: a.stride, divisor: g };
    return null;
  }
  return null;
}

/** Whether `e` depends on `v` at all. */
export const dependsOn = uses;

/**
 * The largest value an index can take, each variable over [0, extent(name)) (interval arithmetic
 * on non-negative terms, so an over-estimate at worst), or null for an index outside plainIndex.
 */
export function maxIndex(e: Expr, extent: (name: string) => number): number | null {
  if (!plainIndex(e)) return null;
  const hi = new Map<Expr, number>();
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    if (hi.has(x)) continue;
    if (x.k === 'num') hi.set(x, x.v);
    else if (x.k === 'var') hi.set(x, extent(x.name) - 1);
    else if (x.k === 'bin' && !done) stack.push([x, true], [x.b, false], [x.a, false]);
    else if (x.k === 'bin') {
      const [a, b] = [hi.get(x.a)!, hi.get(x.b)!];
      const c = x.b.k === 'num' ? x.b.v : 0;
      if (x.op === 'add') hi.set(x, a + b);
      else if (x.op === 'mul') hi.set(x, a * b);
      else if (x.op === 'div') hi.set(x, c > 0 ? Math.floor(a / c) : a);
      else hi.set(x, c > 0 ? Math.min(a, c - 1) : a);
    }
  }
  return hi.get(e) ?? null;
}

/** Push the i32 value of an index expression (loop variables from `vars`). */
export function emitIndex(f: FuncBuilder, e: Expr, vars: (name: string) => number): void {
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    if (x.k === 'num') f.i32(x.v);
    else if (x.k === 'var') f.get(vars(x.name));
    else if (x.k === 'bin' && !done) {
      stack.push([x, true], [x.b, false], [x.a, false]);
    } else if (x.k === 'bin') {
      const op = { add: OP.i32_add, mul: OP.i32_mul, div: OP.i32_div_s, mod: OP.i32_rem_s }[
        x.op as 'add'
      ];
      if (op === undefined) throw new Error(`internal: wasm index: ${x.op}`);
      f.op(op);
    } else throw new Error(`internal: wasm index: ${x.k}`);
  }
}
