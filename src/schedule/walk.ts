// Small utilities over kernel expressions: visiting loads, substituting, reading/writing sets,
// and structural ids (hash-consing) so equal subexpressions are found with small keys.
import { numberKey } from '../ir/node.ts';
import type { Expr } from './expr.ts';
import type { Step } from './kernel.ts';
import type { Kernel, StoringKernel } from './kinds/index.ts';
import { kindOf } from './kinds/index.ts';

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

/** What distinguishes an expression from others with the same children. */
function headKey(e: Expr, bufKey: (buf: string) => string): string {
  switch (e.k) {
    case 'num':
      return `n${numberKey(e.v)}:${e.t}`;
    case 'var':
      return `v${e.name}`;
    case 'load':
      return `l${bufKey(e.buf)}:${e.t}`;
    case 'un':
      return `u${e.op}`;
    case 'bin':
      return `b${e.op}:${e.t}`;
    case 'cast':
      return `c${e.t}`;
    case 'rand':
      return `r${e.dist}${e.seed}`;
    default:
      return e.k;
  }
}

/**
 * Structural ids: two expressions get the same id exactly when they are structurally equal. Keys
 * are the head and the children's ids, so they stay small however deep the expression is.
 */
export class ExprIds {
  private readonly ids = new Map<Expr, number>();

  /**
   * `bufKey` names a load's buffer in the key (its name, unless renamed); `byKey` may be another
   * ExprIds' so that both number structures alike (e.g. kernels with their buffers renamed).
   */
  constructor(
    private readonly bufKey: (buf: string) => string = (buf) => buf,
    private readonly byKey = new Map<string, number>(),
  ) {}

  of(root: Expr): number {
    const hit = this.ids.get(root);
    if (hit !== undefined) return hit;
    // Post-order with an explicit stack: an expression gets its id after all its children.
    const stack = [root];
    while (stack.length) {
      const e = stack[stack.length - 1]!;
      if (this.ids.has(e)) {
        stack.pop();
        continue;
      }
      const kids = childrenOf(e);
      const missing = kids.filter((c) => !this.ids.has(c));
      if (missing.length) {
        stack.push(...missing);
        continue;
      }
      stack.pop();
      const key = `${headKey(e, this.bufKey)}(${kids.map((c) => this.ids.get(c)!).join(',')})`;
      let id = this.byKey.get(key);
      if (id === undefined) {
        id = this.byKey.size;
        this.byKey.set(key, id);
      }
      this.ids.set(e, id);
    }
    return this.ids.get(root)!;
  }
}

/**
 * Visit every distinct expression object once (expressions are DAGs with shared nodes), going on
 * into the children of those `descend` accepts (all, without it).
 */
export function visit(
  roots: readonly Expr[],
  fn: (e: Expr) => void,
  descend?: (e: Expr) => boolean,
): void {
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    fn(e);
    if (!descend || descend(e)) stack.push(...childrenOf(e));
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

export function kernelExprs(k: Kernel): readonly Expr[] {
  return kindOf(k).exprs(k);
}

/**
 * Buffer sets per kernel object (kernels are immutable): placing updates, hoisting, the memory plan
 * and every renderer ask again, and each answer walks the kernel's whole expression.
 */
const readSets = new WeakMap<Kernel, ReadonlySet<string>>();
const writeSets = new WeakMap<Kernel, ReadonlySet<string>>();

export function readsOf(k: Kernel): ReadonlySet<string> {
  const hit = readSets.get(k);
  if (hit) return hit;
  const out = new Set(kindOf(k).operands(k));
  visit(kernelExprs(k), (e) => {
    if (e.k === 'load') out.add(e.buf);
  });
  readSets.set(k, out);
  return out;
}

export function writesOf(k: Kernel): ReadonlySet<string> {
  const hit = writeSets.get(k);
  if (hit) return hit;
  const out = new Set(kindOf(k).writes(k));
  writeSets.set(k, out);
  return out;
}

const NONE: ReadonlySet<string> = new Set();

/** Buffers a step reads: a kernel's, a copy's source, the buffer a check scans. */
export function stepReads(s: Step): ReadonlySet<string> {
  if (s.kind === 'check') return new Set([s.buf]);
  return s.kind === 'kernel' ? readsOf(s.kernel) : new Set([s.from]);
}

/** Buffers a step writes (a check writes none). */
export function stepWrites(s: Step): ReadonlySet<string> {
  if (s.kind === 'check') return NONE;
  return s.kind === 'kernel' ? writesOf(s.kernel) : new Set([s.to]);
}

/** The flat index every store of a kernel writes at (as the renderers compute it). */
export function storeIndex(k: StoringKernel): Expr {
  const at = kindOf(k).storeIndex;
  if (!at) throw new Error(`internal: ${k.kind} kernel ${k.name} has no stores`);
  return at(k);
}
