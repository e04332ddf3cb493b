// Hash-consing: the same expression built twice is the same Node; leaves are interned by name;
// metadata (site, scope) is not part of a node's identity.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';

describe('interning', () => {
  test('building the same expression twice returns the same node and adds nothing', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const w = g.param('w', [3, 4], zeros);
    const build = () => x.matmul(w).add(1).relu().sum(-1);
    const first = build();
    const count = g.nodes.length;
    const second = build();
    expect(second).toBe(first);
    expect(g.nodes.length).toBe(count);
  });

  test('number operands become one shared constant per value, shape and dtype', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const a = x.add(2);
    const b = x.mul(2);
    expect(a.inputs[1]).toBe(b.inputs[1]);
    expect(x.add(3).inputs[1]).not.toBe(a.inputs[1]);
  });

  test('different ops, operand order or attributes give different nodes', () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    const y = g.input('y', [2, 2]);
    expect(x.sub(y)).not.toBe(y.sub(x));
    expect(x.add(y)).not.toBe(x.mul(y));
    expect(x.sum(0)).not.toBe(x.sum(1));
    expect(x.sum(0)).toBe(x.sum([0]));
    expect(x.sum(-1)).toBe(x.sum(1));
  });

  test('leaves are interned by name: the input node is the one apply finds', () => {
    const g = new Graph();
    const x = g.input('x', [2], 'i32');
    expect(g.apply('input', [], { name: 'x', shape: [2], dtype: 'i32' })).toBe(x);
    expect(g.inputs.get('x')).toBe(x);
    expect(x.label).toBe('x');
    const w = g.param('w', [2], zeros);
    expect(g.params.get('w')!.node).toBe(w);
    expect(w).not.toBe(x);
  });

  test('the same expression in another graph is a different node', () => {
    const g = new Graph();
    const h = new Graph();
    const a = g.input('x', [2]).exp();
    const b = h.input('x', [2]).exp();
    expect(a).not.toBe(b);
    expect(a.graph).toBe(g);
  });

  test('scope and call site are metadata: a rebuilt node keeps its first metadata', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const a = g.scope('layer1', () => x.tanh());
    const b = g.scope('layer2', () => x.tanh());
    expect(b).toBe(a);
    expect(a.meta.scope).toBe('layer1');
    expect(g.scope('outer', () => g.scope('inner', () => x.sin())).meta.scope).toBe('outer/inner');
  });

  test('nodes are frozen and ids follow creation order', () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const y = B.neg(x);
    expect(Object.isFrozen(y)).toBe(true);
    expect(y.id).toBeGreaterThan(x.id);
    expect(g.nodes.indexOf(y)).toBe(y.id);
  });
});
