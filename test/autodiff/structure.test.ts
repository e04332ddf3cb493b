// The shape of backward graphs: matmul gradients are matmuls of transposed views (no M×K×N
// broadcast-multiply), backward size grows linearly with depth, and every grad node has provenance.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { Graph } from '../../src/ir/graph.ts';
import { normal, zeros } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { printGraph } from '../../src/ir/print.ts';
import { formatStep } from '../../src/ir/provenance.ts';

/** A chain of `depth` dense tanh layers of width 8 on x [16, 8]; returns the loss and params. */
function denseChain(depth: number) {
  const g = new Graph(`chain${depth}`);
  let h = g.input('x', [16, 8]);
  const params: Node[] = [];
  for (let l = 1; l <= depth; l++) {
    const w = g.param(`W${l}`, [8, 8], normal(0.3));
    const b = g.param(`b${l}`, [8], zeros);
    params.push(w, b);
    h = B.tanh(B.add(B.matmul(h, w), b));
  }
  const loss = B.sum(B.mul(h, h));
  return { g, loss, params };
}

/** Nodes created by grad(loss, params), in creation order. */
function backwardNodes(g: Graph, loss: Node, params: readonly Node[]) {
  const before = g.nodes.length;
  const grads = grad(loss, params);
  return { grads, created: g.nodes.slice(before) };
}

describe('backward graph structure', () => {
  test('the weight gradient of a matmul is a matmul of a transposed view', () => {
    const { g, loss, params } = denseChain(2);
    const { grads, created } = backwardNodes(g, loss, params);
    const [gW1, , gW2] = grads;
    expect(gW1!.op).toBe('matmul');
    expect(gW1!.inputs[0]!.op).toBe('permute');
    expect(gW1!.inputs[0]!.attrs).toEqual({ perm: [1, 0] });
    expect(gW1!.inputs[0]!.inputs[0]).toBe(g.inputs.get('x'));
    expect(gW2!.op).toBe('matmul');
    expect(gW2!.inputs[0]!.op).toBe('permute');
    // No broadcast-multiply-and-sum: nothing in the backward graph exceeds the 2-D operands.
    expect(Math.max(...created.map((n) => n.rank))).toBeLessThanOrEqual(2);
    expect(created.filter((n) => n.op === 'matmul')).toHaveLength(3);
  });

  test('backward size grows linearly with depth (N = 2, 4, 8)', () => {
    const counts = [2, 4, 8].map((depth) => {
      const { g, loss, params } = denseChain(depth);
      const forward = g.nodes.length;
      return { forward, backward: backwardNodes(g, loss, params).created.length };
    });
    const [c2, c4, c8] = counts as [(typeof counts)[0], (typeof counts)[0], (typeof counts)[0]];
    // Every layer adds the same number of nodes, so the differences double with the depth steps.
    expect(c8.backward - c4.backward).toBe(2 * (c4.backward - c2.backward));
    expect(c8.forward - c4.forward).toBe(2 * (c4.forward - c2.forward));
    const perLayer = (c4.backward - c2.backward) / 2;
    expect(perLayer).toBeLessThanOrEqual(12);
    for (const c of counts) expect(c.backward).toBeLessThan(2 * c.forward);
  });

  test('every node grad creates records its forward node and chain-rule step', () => {
    const { g, loss, params } = denseChain(2);
    const { created } = backwardNodes(g, loss, params);
    expect(created.length).toBeGreaterThan(10);
    for (const n of created) {
      expect(n.meta.prov, `${n.op} %${n.id}`).not.toBeNull();
      expect(n.meta.prov!.step).toMatch(/^∂L\/∂/);
    }
  });

  test('each input of a two-input rule gets its own step text', () => {
    const { g, loss, params } = denseChain(2);
    const [, , gW2] = grad(loss, params);
    const name = (n: Node) => n.label ?? n.op;
    expect(formatStep(gW2!.meta.prov!, name)).toBe('∂L/∂W2 = tanhᵀ · ∂L/∂matmul');
  });

  test('printGraph shows ∂L/∂W1 = xᵀ · … on the weight gradient', () => {
    const { g, loss, params } = denseChain(2);
    const grads = grad(loss, params);
    g.output('loss', loss);
    params.forEach((p, k) => g.output(`d${p.label}`, grads[k]!));
    const text = printGraph(g, { sites: false });
    expect(text).toMatch(/grad_W1: f32\[8,8\] = matmul %\d+ %\d+\s+# ∂L\/∂W1 = xᵀ · ∂L\/∂%\d+/);
    expect(text).toMatch(/%\d+: f32\[8,16\] = permute\[perm=\[1,0\]\] x\s+# ∂L\/∂W1 = xᵀ/);
    expect(text).toMatch(/grad_b1: f32\[8\] = sum\[axes=\[0\]\] %\d+\s+# ∂L\/∂b1 = .* summed over/);
  });

  test('gradient nodes carry the user line of the grad call', () => {
    const g = new Graph('site');
    const x = g.input('x', [2]);
    const [gx] = grad(B.sum(B.exp(x)), [x]);
    expect(gx!.meta.site.file).toBe('test/autodiff/structure.test.ts');
    expect(gx!.meta.site.line).toBeGreaterThan(0);
  });
});
