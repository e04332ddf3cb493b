// The optimization pipeline: verify after every pass, same values as before (MLP training graph
// with grad, and seeded random graphs), a fixpoint, node counts, and linear-ish speed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { verify } from '../../src/ir/verify.ts';
import { optimize } from '../../src/passes/pipeline.ts';
import { expectSameValues, mlpTrainGraph, reachable, text } from './helpers.ts';

/** optimize with verify after every pass, recording the pass order. */
function optimizeVerified(g: Graph): { graph: Graph; passes: string[] } {
  const passes: string[] = [];
  const graph = optimize(verify(g), {
    afterPass: (name, h) => {
      verify(h);
      passes.push(name);
    },
  });
  return { graph, passes };
}

const countOps = (g: Graph, op: string): number =>
  text(g)
    .split('\n')
    .filter((l) => l.includes(`= ${op}`)).length;

describe('optimize', () => {
  it('keeps the MLP training step (loss, grads, SGD updates) exact and shrinks it', () => {
    const g = mlpTrainGraph();
    const { graph, passes } = optimizeVerified(g);
    expect(passes.slice(0, 4)).toEqual(['strip-stop-gradient', 'fold', 'simplify', 'dce']);
    expectSameValues(g, graph);
    // Reachable nodes (leaves included) before → after; the report quotes these numbers. (71, 62
    // before logsumexp's shift clamped its max to the finite range: four nodes more.)
    expect([reachable(g), reachable(graph)]).toEqual([75, 66]);
    expect(countOps(graph, 'custom_vjp') + countOps(graph, 'stop_gradient')).toBe(0);
    // ∂L/∂loss = 1 and the 1/4 of the mean fold into one constant feeding softmax − onehot.
    expect(text(graph)).toContain('constant[value=0.25 shape=[4,2] dtype=f32]');
  });

  it('reaches a fixpoint: optimizing again changes nothing', () => {
    const once = optimize(mlpTrainGraph());
    expect(text(optimize(once))).toBe(text(once));
  });

  it('optimizes a 10,000-node graph to the expected size (speed lives in the W4 benchmark)', () => {
    const g = chainGraph(1700);
    expect(g.nodes.length).toBeGreaterThan(10_000);
    const out = optimize(g);
    // Per step: one constant, add, tanh (step 0 adds 0, so both vanish); the dead exp is gone.
    expect(reachable(out)).toBe(1 + 3 * 1700 - 2);
    expectSameValues(g, out, [1]);
  });
});

/** `steps` rounds of h = tanh(h·1 + i·(1 + 1)) with a dead exp(h) each: ~6 nodes per step. */
function chainGraph(steps: number): Graph {
  const g = new Graph('chain');
  let h = g.input('x', [4]);
  for (let i = 0; i < steps; i++) {
    const k = B.mul(B.constant(g, i, [4]), B.add(B.constant(g, 1, [4]), 1));
    h = B.tanh(B.add(B.mul(h, 1), k));
    B.exp(h);
  }
  g.output('y', h);
  return g;
}

/** A graph from a list of op codes over a pool of [2,3] nodes: every rule's pattern shows up. */
function randomGraph(codes: readonly [number, number, number][]): Graph {
  const g = new Graph('rand');
  const pool: Node[] = [g.input('a', [2, 3]), g.input('b', [2, 3])];
  const c = g.input('c', [3]);
  const pick = (i: number) => pool[i % pool.length]!;
  const ops: ((x: Node, y: Node) => Node)[] = [
    (x, y) => B.add(x, y),
    (x, y) => B.mul(x, y),
    (x, y) => B.sub(x, y),
    (x) => B.mul(B.mul(x, 1), B.mul(1, B.constant(g, 1, [2, 3]))),
    (x) => B.sub(B.add(0, x), 0),
    (x) => B.neg(B.neg(B.neg(x))),
    (x) => B.tanh(x),
    (x) => B.log(B.exp(B.tanh(x))),
    (x) => B.reshape(B.reshape(x, [6]), [2, 3]),
    (x) => B.permute(B.permute(x, [1, 0]), [1, 0]),
    (x) => B.add(x, B.broadcastTo(B.sum(x, 0), [2, 3])),
    (x) => B.mul(B.sin(x), B.tensor(g, [1, 2, 3, 4, 5, 6], [2, 3])),
    (x) => B.stopGradient(B.div(x, 1)),
    (x) => B.add(x, B.broadcastTo(B.add(B.constant(g, 2, [3]), c), [2, 3])),
    (x) => B.add(x, B.broadcastTo(B.sum(B.broadcastTo(c, [2, 3]), 0), [2, 3])),
    (x) => B.where(B.gt(x, 0), x, x),
    (x) => B.add(x, B.mul(pool[0]!, 0)),
    (x, y) => B.maximum(B.cast(x, 'f32'), B.mul(y, B.sub(B.constant(g, 3, [2, 3]), 2.5))),
  ];
  for (const [op, i, j] of codes) pool.push(ops[op % ops.length]!(pick(i), pick(j)));
  g.output('y', pool[pool.length - 1]!);
  g.output('z', pick(codes.length * 7));
  return g;
}

describe('optimize on random graphs', () => {
  it('preserves values and verifies after every pass', () => {
    const code = fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100));
    fc.assert(
      fc.property(fc.array(code, { minLength: 1, maxLength: 25 }), (codes) => {
        const g = randomGraph(codes);
        const { graph } = optimizeVerified(g);
        expectSameValues(g, graph, [5]);
        expect(reachable(graph)).toBeLessThanOrEqual(reachable(g));
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
