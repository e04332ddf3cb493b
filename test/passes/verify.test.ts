// verify(graph): accepts what the builder and grad make, and names what is malformed.
import { describe, expect, it } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { Node } from '../../src/ir/node.ts';
import { verify } from '../../src/ir/verify.ts';
import { mlpTrainGraph } from './helpers.ts';

describe('verify', () => {
  it('accepts a training graph with its backward pass', () => {
    const g = mlpTrainGraph();
    expect(verify(g)).toBe(g);
  });

  it('rejects a node whose shape disagrees with infer', () => {
    const g = new Graph('bad');
    const x = g.input('x', [2, 3]);
    const y = B.exp(x);
    const bad = new Node(g, g.nodes.length, 'neg', [y], {}, [3, 2], 'f32', y.meta);
    g.output('out', bad);
    expect(() => verify(g)).toThrow(/neg .*infer gives f32\[2,3\]/);
  });

  it('rejects a wrong arity and an input from another graph', () => {
    const g = new Graph('bad');
    const other = new Graph('other').input('z', [2]);
    const x = g.input('x', [2]);
    g.output('a', new Node(g, 10, 'add', [x], {}, [2], 'f32', x.meta));
    g.output('b', new Node(g, 11, 'neg', [other], {}, [2], 'f32', x.meta));
    expect(() => verify(g)).toThrow(
      /3 problems[\s\S]*1 inputs, the op takes 2[\s\S]*another graph/,
    );
  });

  it('rejects two copies of one interned node', () => {
    const g = new Graph('dup');
    const x = g.input('x', [2]);
    const a = B.neg(x);
    const copy = new Node(g, g.nodes.length, 'neg', [x], {}, [2], 'f32', a.meta);
    g.output('a', B.add(a, copy));
    expect(() => verify(g)).toThrow(/duplicate of an interned node/);
  });
});
