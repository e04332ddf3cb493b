// 100,000-node chains must build, print and evaluate without recursion (no stack overflow).
import { expect, test } from 'vitest';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { printGraph } from '../../src/ir/print.ts';
import { topo } from '../../src/ir/traverse.ts';
import { interpret } from '../../src/interp/interpret.ts';

const N = 100_000;

test('a 100,000-node chain of alternating ops builds, prints and evaluates', () => {
  const g = new Graph('deep');
  let x = g.input('x', [2]);
  // add 2, neg, sub 1, neg: v → v + 3 every four steps.
  const steps: ((v: Node) => Node)[] = [(v) => v.add(2), (v) => v.neg(), (v) => v.sub(1)];
  for (let i = 0; i < N; i++) x = steps[i % 4 === 3 ? 1 : i % 4]!(x);
  g.output('y', x);
  g.output('total', x.sum());

  const order = topo(g.roots());
  // The chain, its input, the two shared constants and the sum.
  expect(order.length).toBe(N + 4);
  expect(order[N + 2]).toBe(x);

  const lines = printGraph(g).trimEnd().split('\n');
  expect(lines.length).toBe(N + 4 + 4); // header, nodes, two output lines, closing brace
  expect(lines[N + 3]).toMatch(
    /^ {2}%100001: f32\[2\] = neg %100000 +# test\/ir\/deep\.test\.ts:\d+$/,
  );
  expect(lines[lines.length - 3]).toBe('  output y = %100001');

  const out = interpret(g, { x: [0.5, -3] }).outputs;
  expect(Array.from(out['y']!)).toEqual([0.5 + (3 * N) / 4, -3 + (3 * N) / 4]);
  expect(Array.from(out['total']!)).toEqual([-2.5 + (6 * N) / 4]);
});
