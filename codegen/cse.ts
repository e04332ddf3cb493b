// Common-subexpression temporaries shared by both renderers: structurally equal subexpressions
// used more than once in one loop body are computed once and named.
import type { Expr } from '../src/schedule/expr.ts';
import { numberKey } from '../src/ir/node.ts';
import { childrenOf } from '../src/schedule/walk.ts';

/** Stable structural key of an expression (memoized per object). */
export class Keys {
  private readonly memo = new Map<Expr, string>();
  of(e: Expr): string {
    const hit = this.memo.get(e);
    if (hit !== undefined) return hit;
    const head =
      e.k === 'num'
        ? `n${numberKey(e.v)}:${e.t}`
        : e.k === 'var'
          ? `v${e.name}`
          : e.k === 'load'
            ? `l${e.buf}:${e.t}`
            : e.k === 'un'
              ? `u${e.op}`
              : e.k === 'bin'
                ? `b${e.op}:${e.t}`
                : e.k === 'cast'
                  ? `c${e.t}`
                  : e.k === 'rand'
                    ? `r${e.dist}${e.seed}`
                    : e.k;
    const key = `${head}(${childrenOf(e)
      .map((c) => this.of(c))
      .join(',')})`;
    this.memo.set(e, key);
    return key;
  }
}

const trivial = (e: Expr) => e.k === 'num' || e.k === 'var' || e.k === 'acc';

export interface Rendered {
  /** Declarations of the temporaries, in dependency order. */
  readonly temps: string[];
  readonly roots: string[];
}

/**
 * Render `roots` with `renderOne` (which renders children through the callback it is given);
 * values used more than once become temporaries declared by `declare(name, text)`.
 */
export function renderWithTemps(
  roots: readonly Expr[],
  renderOne: (e: Expr, r: (e: Expr) => string) => string,
  declare: (name: string, text: string) => string,
  tempPrefix: string,
): Rendered {
  const keys = new Keys();
  const uses = new Map<string, number>();
  const seen = new Set<string>();
  const count = (e: Expr) => {
    const k = keys.of(e);
    uses.set(k, (uses.get(k) ?? 0) + 1);
    if (seen.has(k)) return;
    seen.add(k);
    for (const c of childrenOf(e)) count(c);
  };
  roots.forEach(count);
  const temps: string[] = [];
  const named = new Map<string, string>();
  const render = (e: Expr): string => {
    const k = keys.of(e);
    const hit = named.get(k);
    if (hit) return hit;
    const text = renderOne(e, render);
    if (!trivial(e) && (uses.get(k) ?? 0) > 1) {
      const name = `${tempPrefix}${temps.length}`;
      temps.push(declare(name, text));
      named.set(k, name);
      return name;
    }
    return text;
  };
  return { temps, roots: roots.map(render) };
}
