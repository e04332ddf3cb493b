// Shared test helpers for passes: printed text, random feeds, the interpreter as the oracle, and
// a 2-layer MLP training graph with its gradients and SGD updates.
import { expect } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as C from '../../src/builder/composite.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { printGraph } from '../../src/ir/print.ts';
import { topo } from '../../src/ir/traverse.ts';
import { verify } from '../../src/ir/verify.ts';
import { initParams, interpret } from '../../src/interp/interpret.ts';
import type { Pass, PassResult } from '../../src/passes/rewrite.ts';

export const text = (g: Graph): string => printGraph(g, { sites: false });

/** Nodes the roots reach (what a backend would compute), leaves included. */
export const reachable = (g: Graph): number => topo(g.roots()).length;

/** Seeded feeds for every input: f32 normal-ish, i32 in [0, 3), bool 0/1. */
export function randomFeeds(g: Graph, seed: number): Record<string, Float64Array> {
  const rand = init.mulberry32(seed);
  const feeds: Record<string, Float64Array> = {};
  for (const [name, n] of g.inputs) {
    const v = new Float64Array(n.size);
    for (let i = 0; i < v.length; i++) {
      if (n.dtype === 'f32') v[i] = (rand() - 0.5) * 4;
      else if (n.dtype === 'i32') v[i] = Math.floor(rand() * 3);
      else v[i] = rand() < 0.5 ? 0 : 1;
    }
    feeds[name] = v;
  }
  return feeds;
}

function expectClose(a: Float64Array, b: Float64Array, what: string): void {
  expect(b.length, what).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (Number.isNaN(x) || !Number.isFinite(x)) expect(y, `${what}[${i}]`).toBe(x);
    else
      expect(Math.abs(x - y), `${what}[${i}]: ${x} vs ${y}`).toBeLessThanOrEqual(
        1e-9 * (1 + Math.abs(x)),
      );
  }
}

/** The interpreter gives the same outputs and updates for both graphs on a few random feeds. */
export function expectSameValues(before: Graph, after: Graph, seeds = [1, 2, 3]): void {
  expect([...after.outputs.keys()]).toEqual([...before.outputs.keys()]);
  expect([...after.updates.keys()]).toEqual([...before.updates.keys()]);
  for (const seed of seeds) {
    const feeds = randomFeeds(before, seed);
    const params = initParams(before, seed);
    const a = interpret(before, feeds, params);
    const b = interpret(after, feeds, params);
    for (const k of Object.keys(a.outputs)) expectClose(a.outputs[k]!, b.outputs[k]!, k);
    for (const k of Object.keys(a.updates)) expectClose(a.updates[k]!, b.updates[k]!, k);
  }
}

/** Verify, run the pass, verify again and check it preserved values. */
export function checkPass(g: Graph, pass: Pass): PassResult {
  verify(g);
  const res = pass(g);
  verify(res.graph);
  expectSameValues(g, res.graph);
  return res;
}

/** A 2-layer MLP (relu, softmax cross-entropy on i32 labels) with grads and SGD updates. */
export function mlpTrainGraph(): Graph {
  const g = new Graph('mlp');
  const x = g.input('x', [4, 3]);
  const y = g.input('y', [4], 'i32');
  const w1 = g.param('W1', [3, 5], init.normal(0.5));
  const b1 = g.param('b1', [5], init.normal(0.1));
  const w2 = g.param('W2', [5, 2], init.normal(0.5));
  const b2 = g.param('b2', [2], init.normal(0.1));
  const h = B.relu(B.add(B.matmul(x, w1), b1));
  const logits = B.add(B.matmul(h, w2), b2);
  const loss = C.mean(C.softmaxCrossEntropy(logits, C.oneHot(y, 2))).named('loss');
  g.output('loss', loss);
  const params = [w1, b1, w2, b2];
  const grads = grad(loss, params);
  params.forEach((p, i) => {
    g.output(`grad_${p.label!}`, grads[i]!);
    g.update(p.label!, B.sub(p, B.mul(grads[i]!, 0.1)));
  });
  return g;
}
