// custom_vjp: an identity on its first input whose gradient to the remaining inputs (the primals)
// comes from a hand-derived rule — cheaper or more stable than differentiating the expansion.
import * as B from '../builder/ops.ts';
import { rstdLastAxis, softmaxLastAxis } from '../builder/composite.ts';
import type { Node } from '../ir/node.ts';
import { expandReduced } from './reduce.ts';
import type { OpDef, VjpStep } from './def.ts';

/** The cotangent of one primal, given the output cotangent, the output and all primals. */
type Rule = (g: Node, out: Node, primals: readonly Node[], args: readonly number[]) => Node | null;

interface PrimalRule {
  readonly rule: Rule;
  readonly step: string;
}

/** Per rule name, one derivative rule per primal (input 1, input 2, …). */
const RULES: Readonly<Record<string, readonly PrimalRule[]>> = {
  // d/dx logsumexp(x) = softmax(x) = exp(x − lse), reusing the forward value lse.
  logsumexp: [
    {
      rule: (g, out, [x], axes) =>
        B.mul(expandReduced(g, x!, axes), B.exp(B.sub(x!, expandReduced(out, x!, axes)))),
      step: '∂L/∂{1} = ∂L/∂{out} ⊙ softmax({1}) = ∂L/∂{out} ⊙ exp({1} − {out})',
    },
  ],
  // x̂ = (x − μ)/σ over the last axis: ∂x = (∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) / σ.
  normalize: [
    {
      rule: (g, out, [x], [eps]) => {
        const n = x!.shape[x!.rank - 1]!;
        const meanG = B.div(B.sum(g, -1, true), n);
        const meanGX = B.div(B.sum(B.mul(g, out), -1, true), n);
        return B.mul(B.sub(B.sub(g, meanG), B.mul(out, meanGX)), rstdLastAxis(x!, eps!));
      },
      step: '∂L/∂{1} = (∂L/∂{out} − mean(∂L/∂{out}) − {out}·mean(∂L/∂{out} ⊙ {out})) / σ',
    },
  ],
  // Per row, loss = lse(x) − ⟨y, x⟩: ∂/∂logits = softmax − y; ∂/∂y = −x (for any y, not only
  // distributions: −log softmax would add lse·Σy, which only vanishes along the simplex).
  softmax_ce: [
    {
      rule: (g, _out, [x, y]) => B.mul(rowsOf(g, x!), B.sub(softmaxLastAxis(x!), y!)),
      step: '∂L/∂{1} = ∂L/∂{out} ⊙ (softmax({1}) − {2})',
    },
    {
      rule: (g, _out, [x]) => B.neg(B.mul(rowsOf(g, x!), x!)),
      step: '∂L/∂{2} = −∂L/∂{out} ⊙ {1}',
    },
  ],
};

/** A per-row value broadcast along the last axis of x. */
function rowsOf(g: Node, x: Node): Node {
  return B.broadcastTo(B.reshape(g, [...g.shape, 1]), x.shape);
}

/** The chain-rule step for each primal (input 1, then input 2 where the rule has one). */
export function customRuleDocs(rule: string): string[] {
  return (RULES[rule] ?? []).map((r) => r.step);
}

const NO_GRADIENT: VjpStep<'custom_vjp'> = { rule: () => null, step: '' };

export const customVjp: OpDef<'custom_vjp'> = {
  arity: -1,
  infer: ([r], a) =>
    r && RULES[a.rule] ? { shape: r.shape, dtype: r.dtype } : `unknown custom rule '${a.rule}'`,
  eval: ([r]) => r!.slice(),
  // Input 0 is the expansion: its own gradient is replaced by the rules for the primals.
  vjp: (a) => [
    NO_GRADIENT,
    ...RULES[a.rule]!.map((p): VjpStep<'custom_vjp'> => ({
      rule: (g, out, ins, attrs) => p.rule(g, out, ins.slice(1), attrs.args),
      step: p.step,
    })),
  ],
  lower: { kind: 'expr', expr: (c) => c.input(0, c.idx) },
  facts: { cost: 0, view: true, uniform: 'first', quietName: true },
};
