// Issue 3's size contract: after simplification, the seed MLP's backward graph is as lean as the
// hand-written backprop — no ·1, no double transposes, no broadcast of a gradient turned into a buffer.
import { describe, expect, it } from 'vitest';
import { Graph, grad, init, sigmoid, square, sub, sum } from '../../src/index.ts';
import type { Node } from '../../src/index.ts';
import { topo } from '../../src/ir/traverse.ts';
import { optimize } from '../../src/passes/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { toProgram } from '../../src/pipeline.ts';

function seedMlp(batch: number): { g: Graph; loss: Node; params: Node[] } {
  const g = new Graph('seed_mlp');
  const x = g.input('x', [batch, 784]);
  const y = g.input('y', [batch, 10]);
  const W1 = g.param('W1', [784, 30], init.normal(1));
  const b1 = g.param('b1', [30], init.normal(1));
  const W2 = g.param('W2', [30, 10], init.normal(1));
  const b2 = g.param('b2', [10], init.normal(1));
  const a1 = sigmoid(x.matmul(W1).add(b1).named('z1')).named('a1');
  const a2 = sigmoid(a1.matmul(W2).add(b2).named('z2')).named('a2');
  const loss = sum(square(sub(a2, y))).mul(0.5 / batch);
  g.output('loss', loss);
  return { g, loss, params: [W1, b1, W2, b2] };
}

const isConst = (n: Node, v: number) =>
  n.op === 'constant' && (n.attrs as { value: number }).value === v;

describe('the seed MLP backward graph after optimize()', () => {
  const { g, loss, params } = seedMlp(10);
  const forward = topo([loss]).length;
  grad(loss, params).forEach((d, i) => g.output(`d${i}`, d));
  const opt = optimize(g);
  const nodes = topo(opt.roots());

  it('has no multiply-by-one, add-zero or double transpose left', () => {
    const bad = nodes.filter(
      (n) =>
        (n.op === 'mul' && n.inputs.some((x) => isConst(x, 1))) ||
        (n.op === 'add' && n.inputs.some((x) => isConst(x, 0))) ||
        (n.op === 'permute' && n.inputs[0]!.op === 'permute'),
    );
    expect(bad.map((n) => n.op)).toEqual([]);
  });

  it('stays linear in the forward graph and uses matmuls of transposed views', () => {
    const backward = nodes.length - forward;
    console.log(
      `seed MLP: forward ${forward} nodes, forward+backward ${nodes.length} after optimize`,
    );
    expect(backward).toBeLessThanOrEqual(2 * forward);
    const matmuls = nodes.filter((n) => n.op === 'matmul');
    expect(matmuls).toHaveLength(5); // 2 forward, ∂W1, ∂W2, and δ¹ = (W2ᵀδ²)⊙σ'
    expect(nodes.every((n) => n.rank <= 2)).toBe(true);
  });

  it('never gives a broadcast of a gradient a buffer of its own', () => {
    const program = toProgram(opt, { optimize: false });
    const copies = kernelsOf(program).filter(
      (k) =>
        k.kind === 'map' && k.ops.every((op) => ['broadcast', 'reshape', 'permute'].includes(op)),
    );
    expect(copies).toEqual([]);
  });
});
