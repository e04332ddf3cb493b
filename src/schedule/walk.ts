// Small utilities over kernel expressions: visiting loads, substituting, reading/writing sets.
import * as E from './expr.ts';
import type { Expr } from './expr.ts';
import type { Kernel } from './kernel.ts';

export function childrenOf(e: Expr): Expr[] {
  switch (e.k) {
    case 'load':
      return [e.at];
    case 'un':
    case 'cast':
      return [e.a];
    case 'bin':
      return [e.a, e.b];
    case 'sel':
      return [e.c, e.a, e.b];
    case 'rand':
      return [e.counter, e.at];
    default:
      return [];
  }
}

/** Visit every distinct expression object once (expressions are DAGs with shared nodes). */
export function visit(roots: readonly Expr[], fn: (e: Expr) => void): void {
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    fn(e);
    stack.push(...childrenOf(e));
  }
}

/** Rebuild an expression DAG bottom-up, replacing nodes for which `fn` returns a value. */
export function mapExpr(
  root: Expr,
  fn: (e: Expr) => Expr | null,
  memo = new Map<Expr, Expr>(),
): Expr {
  const go = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    const direct = fn(e);
    let out: Expr;
    if (direct) out = direct;
    else {
      switch (e.k) {
        case 'load':
          out = { ...e, at: go(e.at) };
          break;
        case 'un':
        case 'cast':
          out = { ...e, a: go(e.a) };
          break;
        case 'bin':
          out = { ...e, a: go(e.a), b: go(e.b) };
          break;
        case 'sel':
          out = { ...e, c: go(e.c), a: go(e.a), b: go(e.b) };
          break;
        case 'rand':
          out = { ...e, counter: go(e.counter), at: go(e.at) };
          break;
        default:
          out = e;
      }
    }
    memo.set(e, out);
    return out;
  };
  return go(root);
}

export function kernelExprs(k: Kernel): Expr[] {
  switch (k.kind) {
    case 'map':
    case 'matmul':
      return k.stores.map((s) => s.expr);
    case 'reduce':
      return [k.value, ...k.stores.map((s) => s.expr)];
    case 'scatter':
      return [];
  }
}

export function readsOf(k: Kernel): Set<string> {
  const out = new Set<string>();
  if (k.kind === 'matmul') out.add(k.a.buf).add(k.b.buf);
  if (k.kind === 'scatter') out.add(k.updates).add(k.indices);
  visit(kernelExprs(k), (e) => {
    if (e.k === 'load') out.add(e.buf);
  });
  return out;
}

export function writesOf(k: Kernel): Set<string> {
  if (k.kind === 'scatter') return new Set([k.out]);
  return new Set(k.stores.map((s) => s.buf));
}

/** The flat index every store of a kernel writes at (as the renderers compute it). */
export function storeIndex(k: Exclude<Kernel, { kind: 'scatter' }>): Expr {
  const vars = (p: string, n: number) => Array.from({ length: n }, (_, i) => E.ivar(`${p}${i}`));
  if (k.kind === 'map') return E.flatIndex(vars('i', k.shape.length), k.shape);
  if (k.kind === 'reduce') return E.flatIndex(vars('o', k.outShape.length), k.outShape);
  const b = k.batch === 1 ? E.int(0) : E.ivar('b');
  return E.iadd(E.imul(b, E.int(k.m * k.n)), E.iadd(E.imul(E.ivar('i'), E.int(k.n)), E.ivar('j')));
}
