// Index expressions as affine functions of one loop variable: index = base + stride·v for every v
// in [0, extent), where base does not depend on v. The vector loops use this to load four lanes at
// once (stride 1), splat one element (stride 0) or gather (any other stride), with the base
// computed once per row in i32 arithmetic instead of per element. The kernel IR writes broadcasts
// and transposes as div/mod chains of a flat index; the rules below see through the common ones,
// using what is known about the base's divisors. Indices here are non-negative, so i32 division
// floors as the IR's division does.
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import { childrenOf, mapExpr } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP } from './encoder.ts';
import { rebase } from './expr.ts';
import type { BufferPlace } from './expr.ts';

export interface Affine {
  readonly base: Expr;
  readonly stride: number;
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

type Load = Extract<Expr, { k: 'load' }>;

/**
 * A gathered position min(max(L, 0), c): an i32 load L clamped into [0, c], as the gather op
 * writes an embedding lookup's row index (token ids, positions). Null for anything else.
 */
function gathered(x: Expr): { readonly load: Load; readonly max: number } | null {
  if (x.k !== 'bin' || x.op !== 'min' || x.b.k !== 'num' || !Number.isInteger(x.b.v)) return null;
  const lo = x.a;
  if (lo.k !== 'bin' || lo.op !== 'max' || lo.b.k !== 'num' || lo.b.v !== 0) return null;
  if (lo.a.k !== 'load' || lo.a.t !== 'i32' || x.b.v < 0) return null;
  return { load: lo.a, max: x.b.v };
}

/**
 * An index the row loops can compute: adds, constant products, div/mod, no negatives; loads only
 * as clamped gather positions (whose own index must be plain too).
 */
function plainIndex(e: Expr): boolean {
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    const g = gathered(x);
    if (g) {
      stack.push(g.load.at);
      continue;
    }
    if (x.k === 'num' && (x.v < 0 || !Number.isInteger(x.v))) return false;
    if (x.k === 'bin' && !['add', 'mul', 'div', 'mod'].includes(x.op)) return false;
    if (x.k !== 'num' && x.k !== 'var' && x.k !== 'bin') return false;
    stack.push(...childrenOf(x));
  }
  return true;
}

/** A term coef·atom of a linear form; atoms do not depend on the row variable. */
interface Term {
  readonly atom: Expr;
  readonly coef: number;
  /** The atom's largest value. */
  readonly max: number;
}

/** Σ coef·atom + constant + stride·v: an index in the row variable v. */
interface Linear {
  readonly terms: readonly Term[];
  readonly constant: number;
  readonly stride: number;
}

const exprOf = (l: { terms: readonly Term[]; constant: number }): Expr =>
  l.terms.reduce<Expr>((acc, t) => E.iadd(acc, E.imul(t.atom, E.int(t.coef))), E.int(l.constant));
const maxOf = (l: { terms: readonly Term[]; constant: number }) =>
  l.terms.reduce((m, t) => m + t.coef * t.max, l.constant);

/** index = base + stride·v over v in [0, extent), or null when no rule shows it. */
export function affineIn(
  e: Expr,
  v: string,
  extent: number,
  extentOf: (name: string) => number,
): Affine | null {
  if (!plainIndex(e)) return null;
  const memo = new Map<Expr, Linear | null>();
  // Post-order over the expression's nodes without recursion.
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    if (memo.has(x)) continue;
    if (done) {
      memo.set(
        x,
        rule(x, v, extent, extentOf, (c) => memo.get(c) ?? null),
      );
      continue;
    }
    stack.push([x, true]);
    for (const c of childrenOf(x)) stack.push([c, false]);
  }
  const l = memo.get(e);
  return l ? { base: exprOf(l), stride: l.stride } : null;
}

function rule(
  x: Expr,
  v: string,
  extent: number,
  extentOf: (name: string) => number,
  of: (c: Expr) => Linear | null,
): Linear | null {
  if (x.k === 'num') return { terms: [], constant: x.v, stride: 0 };
  const pos = gathered(x); // an atom: the same for every v, or not affine at all
  if (pos)
    return uses(x, v)
      ? null
      : { terms: [{ atom: x, coef: 1, max: pos.max }], constant: 0, stride: 0 };
  if (x.k === 'var') {
    if (x.name === v) return { terms: [], constant: 0, stride: 1 };
    return { terms: [{ atom: x, coef: 1, max: extentOf(x.name) - 1 }], constant: 0, stride: 0 };
  }
  if (x.k !== 'bin') return null;
  const [a, b] = [of(x.a), of(x.b)];
  if (!a || !b) return null;
  const atom = (): Linear | null =>
    uses(x, v)
      ? null
      : { terms: [{ atom: x, coef: 1, max: maxIndex(x, extentOf)! }], constant: 0, stride: 0 };
  if (x.op === 'add')
    return {
      terms: [...a.terms, ...b.terms],
      constant: a.constant + b.constant,
      stride: a.stride + b.stride,
    };
  if (x.op === 'mul') {
    const [l, c] = x.b.k === 'num' ? [a, x.b.v] : x.a.k === 'num' ? [b, x.a.v] : [null, 0];
    if (!l) return atom();
    const terms = l.terms.map((t) => ({ ...t, coef: t.coef * c }));
    return { terms, constant: l.constant * c, stride: l.stride * c };
  }
  if (x.b.k !== 'num' || x.b.v <= 0) return atom();
  const c = x.b.v;
  // a = c·Q + R + s·v, Q from the terms whose coefficient c divides, R the rest (R ≥ 0).
  const s = a.stride;
  const q = {
    terms: a.terms.filter((t) => t.coef % c === 0).map((t) => ({ ...t, coef: t.coef / c })),
    constant: Math.floor(a.constant / c),
  };
  const r = { terms: a.terms.filter((t) => t.coef % c !== 0), constant: a.constant % c };
  const rMax = maxOf(r);
  // g divides R and c: when every s·v < g, adding s·v moves R neither across a multiple of c.
  const g = r.terms.reduce((d, t) => gcd(d, t.coef), gcd(r.constant, c));
  const fits = s >= 0 && rMax + s * (extent - 1) < c; // R + s·v stays below c
  const aligned = s >= 0 && s * (extent - 1) < g;
  const rAtom = (op: 'div' | 'mod', max: number): Term => ({
    atom: op === 'div' ? E.idiv(exprOf(r), c) : E.imod(exprOf(r), c),
    coef: 1,
    max,
  });
  if (x.op === 'div') {
    const plus = (extra: Term[], stride: number): Linear => ({
      terms: [...q.terms, ...extra],
      constant: q.constant,
      stride,
    });
    if (s % c === 0) return plus(rMax < c ? [] : [rAtom('div', Math.floor(rMax / c))], s / c);
    if (fits) return plus([], 0);
    if (aligned) return plus([rAtom('div', Math.floor(rMax / c))], 0);
    return null;
  }
  if (x.op === 'mod') {
    const rest = (stride: number): Linear =>
      rMax < c ? { ...r, stride } : { terms: [rAtom('mod', c - 1)], constant: 0, stride };
    if (s % c === 0) return rest(0);
    if (fits) return { ...r, stride: s };
    if (aligned) return rest(s);
    return null;
  }
  return atom();
}

/** The variable numbering the four-element chunks of `v` in chunkAffine's bases. */
export const chunkVar = (v: string) => `${v}/4`;

/**
 * index = base(chunk) + stride·w within each aligned chunk of four, v = 4·chunk + w: for views
 * that are affine only piecewise along v (a head merge: 16 contiguous elements, then a jump), with
 * the base recomputed per chunk. Only for v < 4·⌊n/4⌋ (the vector part of a row).
 */
export function chunkAffine(
  e: Expr,
  v: string,
  n: number,
  extent: (name: string) => number,
): Affine | null {
  if (n < 4) return null;
  const [u, w] = [chunkVar(v), `${v}%4`];
  const split = E.iadd(E.imul(E.ivar(u), E.int(4)), E.ivar(w));
  const at = mapExpr(e, (x) => (x.k === 'var' && x.name === v ? split : null), new Map());
  return affineIn(at, w, 4, (name) => (name === u ? Math.floor(n / 4) : extent(name)));
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
    const g = gathered(x);
    if (g) hi.set(x, g.max);
    else if (x.k === 'num') hi.set(x, x.v);
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

/**
 * Push the i32 value of an index expression (loop variables from `vars`; a gathered position's
 * load from the buffer `place(buf)` — through its address global in a shared body — then clamped
 * as the gather op clamps it).
 */
export function emitIndex(
  f: FuncBuilder,
  e: Expr,
  vars: (name: string) => number,
  place?: (buf: string) => BufferPlace,
): void {
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    const g = gathered(x);
    if (g && !done) stack.push([x, true], [g.load.at, false]);
    else if (g) {
      if (!place) throw new Error('internal: wasm index: a gathered position needs its buffer');
      f.i32(2).op(OP.i32_shl);
      f.mem(OP.i32_load, rebase(f, place(g.load.buf)));
      f.clampIndex(g.max);
    } else if (x.k === 'num') f.i32(x.v);
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
