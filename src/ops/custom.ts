// custom_vjp: an identity on its first input whose gradient to the remaining inputs (the primals)
// comes from a hand-derived rule — cheaper or more stable than differentiating the expansion.
import * as B from '../builder/ops.ts';
import { rstdLastAxis, softmaxLastAxis } from '../builder/composite.ts';
import type { Node } from '../ir/node.ts';
import { expandReduced } from './reduce.ts';
import type { OpDef } from './def.ts';

type Rule = (
  g: Node,
  out: Node,
  primals: readonly Node[],
  args: readonly number[],
) => (Node | null)[];

const RULES: Readonly<Record<string, { rule: Rule; doc: string; targetDoc?: string }>> = {
  // d/dx logsumexp(x) = softmax(x) = exp(x − lse), reusing the forward value lse.
  logsumexp: {
    rule: (g, out, [x], axes) => [
      B.mul(expandReduced(g, x!, axes), B.exp(B.sub(x!, expandReduced(out, x!, axes)))),
    ],
    doc: '∂L/∂{1} = ∂L/∂{out} ⊙ softmax({1}) = ∂L/∂{out} ⊙ exp({1} − {out})',
  },
  // x̂ = (x − μ)/σ over the last axis: ∂x = (∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) / σ.
  normalize: {
    rule: (g, out, [x], [eps]) => {
      const n = x!.shape[x!.rank - 1]!;
      const meanG = B.div(B.sum(g, -1, true), n);
      const meanGX = B.div(B.sum(B.mul(g, out), -1, true), n);
      return [B.mul(B.sub(B.sub(g, meanG), B.mul(out, meanGX)), rstdLastAxis(x!, eps!))];
    },
    doc: '∂L/∂{1} = (∂L/∂{out} − mean(∂L/∂{out}) − {out}·mean(∂L/∂{out} ⊙ {out})) / σ',
  },
  // Per row, loss = lse(x) − ⟨y, x⟩: ∂/∂logits = softmax − y; ∂/∂y = −x (for any y, not only
  // distributions: −log softmax would add lse·Σy, which only vanishes along the simplex).
  softmax_ce: {
    rule: (g, _out, [x, y]) => {
      const gb = B.broadcastTo(B.reshape(g, [...g.shape, 1]), x!.shape);
      return [B.mul(gb, B.sub(softmaxLastAxis(x!), y!)), B.neg(B.mul(gb, x!))];
    },
    doc: '∂L/∂{1} = ∂L/∂{out} ⊙ (softmax({1}) − {2})',
    targetDoc: '∂L/∂{2} = −∂L/∂{out} ⊙ {1}',
  },
};

/** The chain-rule step for each primal (input 1, then input 2 where the rule has one). */
export function customRuleDocs(rule: string): string[] {
  const r = RULES[rule];
  return r ? [r.doc, ...(r.targetDoc ? [r.targetDoc] : [])] : [];
}

export const customVjp: OpDef<'custom_vjp'> = {
  arity: -1,
  infer: ([r], a) =>
    r && RULES[a.rule] ? { shape: r.shape, dtype: r.dtype } : `unknown custom rule '${a.rule}'`,
  eval: ([r]) => r!.slice(),
  vjp: (g, out, ins, a) => [null, ...RULES[a.rule]!.rule(g, out, ins.slice(1), a.args)],
  vjpDoc: (a) => ['', ...customRuleDocs(a.rule)],
  lower: { kind: 'expr', expr: (c) => c.input(0, c.idx) },
};
