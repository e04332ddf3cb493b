// stripStopGradient: after grad, stop_gradient and custom_vjp wrappers are identities; drop them.
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as C from '../../src/builder/composite.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { stripStopGradient } from '../../src/passes/strip.ts';
import { checkPass, text } from './helpers.ts';

describe('stripStopGradient', () => {
  it('replaces stop_gradient with its input', () => {
    const g = new Graph('strip');
    const x = g.input('x', [3]);
    g.output('y', B.mul(x, B.stopGradient(B.exp(x))));
    const res = checkPass(g, stripStopGradient);
    expect(res.changed).toBe(true);
    expect(text(res.graph)).toMatchInlineSnapshot(`
      "graph strip {
        input x: f32[3]
        %0: f32[3] = exp x
        %1: f32[3] = mul x %0
        output y = %1
      }
      "
    `);
  });

  it('replaces custom_vjp with its value input, after grad used its rule', () => {
    const g = new Graph('strip');
    const x = g.input('x', [2, 3]);
    const lse = C.logsumexp(x, -1);
    const loss = g.output('loss', B.sum(lse));
    g.output('dx', grad(loss, [x])[0]!);
    const res = checkPass(g, stripStopGradient);
    const printed = text(res.graph);
    expect(printed).not.toMatch(/custom_vjp|stop_gradient/);
    expect(printed).toMatchInlineSnapshot(`
      "graph strip {
        input x: f32[2,3]
        %0: f32[2,3] = constant[value=-3.4028234663852886e+38 shape=[2,3] dtype=f32]
        %1: f32[2,3] = maximum x %0
        %2: f32[2,3] = constant[value=3.4028234663852886e+38 shape=[2,3] dtype=f32]
        %3: f32[2,3] = minimum %1 %2
        %4: f32[2] = max[axes=[1]] %3
        %5: f32[2,1] = reshape[shape=[2,1]] %4
        %6: f32[2,3] = broadcast[shape=[2,3]] %5
        %7: f32[2,3] = sub x %6
        %8: f32[2,3] = exp %7
        %9: f32[2] = sum[axes=[1]] %8
        %10: f32[2] = log %9
        %11: f32[2] = reshape[shape=[2]] %5
        %12: f32[2] = add %10 %11
        %13: f32[] = sum[axes=[0]] %12
        %14: f32[] = constant[value=1 shape=[] dtype=f32]                         # ∂L/∂%13 = 1 (the seed)
        %15: f32[1] = reshape[shape=[1]] %14                                      # ∂L/∂%12 = broadcast(∂L/∂%13)
        %16: f32[2] = broadcast[shape=[2]] %15                                    # ∂L/∂%12 = broadcast(∂L/∂%13)
        %17: f32[2,1] = reshape[shape=[2,1]] %16                                  # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        %18: f32[2,3] = broadcast[shape=[2,3]] %17                                # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        %19: f32[2,1] = reshape[shape=[2,1]] %12                                  # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        %20: f32[2,3] = broadcast[shape=[2,3]] %19                                # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        %21: f32[2,3] = sub x %20                                                 # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        %22: f32[2,3] = exp %21                                                   # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        grad_x: f32[2,3] = mul %18 %22                                            # ∂L/∂%?0 = ∂L/∂%?15 ⊙ softmax(%?0) = ∂L/∂%?15 ⊙ exp(%?0 − %?15)
        output loss = %13
        output dx = grad_x
      }
      "
    `);
  });

  it('reports no change when there is nothing to strip', () => {
    const g = new Graph('strip');
    g.output('y', B.exp(g.input('x', [3])));
    expect(stripStopGradient(g).changed).toBe(false);
  });
});
