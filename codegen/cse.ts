// Common-subexpression temporaries shared by both renderers: structurally equal subexpressions
// used more than once in one loop body are computed once and named.
import type { Expr } from '../src/schedule/expr.ts';
import { childrenOf, ExprIds as Keys } from '../src/schedule/walk.ts';

/** Structural keys of expressions (small: ids of children), shared with the lowering. */
export { ExprIds as Keys } from '../src/schedule/walk.ts';

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
  const uses = new Map<number, number>();
  // Count uses per structure; a structure's children are counted once, at its first use.
  const stack = [...roots];
  while (stack.length) {
    const e = stack.pop()!;
    const k = keys.of(e);
    const n = uses.get(k) ?? 0;
    uses.set(k, n + 1);
    if (n === 0) stack.push(...childrenOf(e));
  }
  const temps: string[] = [];
  const named = new Map<number, string>();
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
