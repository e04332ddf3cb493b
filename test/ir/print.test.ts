// The text form of a graph, pinned: one node per line with type, attributes and the user's line.
import { expect, test } from 'vitest';
import { softmax } from '../../src/builder/composite.ts';
import { Graph } from '../../src/ir/graph.ts';
import { normal, zeros } from '../../src/ir/init.ts';
import { printGraph } from '../../src/ir/print.ts';

test('printGraph with sites names this file and line', () => {
  const g = new Graph('sites');
  const x = g.input('x', [3]);
  g.output('y', x.exp().mul(2));
  expect(printGraph(g)).toMatchInlineSnapshot(`
    "graph sites {
      input x: f32[3]                                     # test/ir/print.test.ts:10
      %0: f32[3] = exp x                                  # test/ir/print.test.ts:11
      %1: f32[3] = constant[value=2 shape=[3] dtype=f32]  # test/ir/print.test.ts:11
      %2: f32[3] = mul %0 %1                              # test/ir/print.test.ts:11
      output y = %2
    }
    "
  `);
});

function tinyMlp(): Graph {
  const g = new Graph('mlp');
  const x = g.input('x', [2, 3]);
  const labels = g.input('labels', [2], 'i32');
  const w = g.param('w', [3, 4], normal(0.1));
  const b = g.param('b', [4], zeros);
  const h = x.matmul(w).add(b).relu().named('h');
  g.output('probs', softmax(h));
  g.output('first', h.slice([[0, 1]]).sum());
  g.output('labels1', labels.add(1));
  return g;
}

test('printGraph of a small graph, without sites', () => {
  expect(printGraph(tinyMlp(), { sites: false })).toMatchInlineSnapshot(`
    "graph mlp {
      input x: f32[2,3]
      input labels: i32[2]
      param w: f32[3,4] ~ normal(0, 0.1)
      param b: f32[4] ~ zeros
      %0: f32[2,4] = matmul x w
      %1: f32[2,4] = broadcast[shape=[2,4]] b
      %2: f32[2,4] = add %0 %1
      h: f32[2,4] = relu %2
      %3: f32[2,4] = constant[value=-3.4028234663852886e+38 shape=[2,4] dtype=f32]
      %4: f32[2,4] = maximum h %3
      %5: f32[2,4] = constant[value=3.4028234663852886e+38 shape=[2,4] dtype=f32]
      %6: f32[2,4] = minimum %4 %5
      %7: f32[2] = max[axes=[1]] %6
      %8: f32[2,1] = reshape[shape=[2,1]] %7
      %9: f32[2,1] = stop_gradient %8
      %10: f32[2,4] = broadcast[shape=[2,4]] %9
      %11: f32[2,4] = sub h %10
      %12: f32[2,4] = exp %11
      %13: f32[2] = sum[axes=[1]] %12
      %14: f32[2] = log %13
      %15: f32[2,1] = reshape[shape=[2,1]] %14
      %16: f32[2,4] = broadcast[shape=[2,4]] %15
      %17: f32[2,4] = sub %11 %16
      %18: f32[2,4] = exp %17
      %19: f32[1,4] = slice[starts=[0,0] stops=[1,4] steps=[1,1]] h
      %20: f32[] = sum[axes=[0,1]] %19
      %21: i32[2] = constant[value=1 shape=[2] dtype=i32]
      %22: i32[2] = add labels %21
      output probs = %18
      output first = %20
      output labels1 = %22
    }
    "
  `);
});

test('the text is stable: the same graph built twice prints identically', () => {
  expect(printGraph(tinyMlp())).toBe(printGraph(tinyMlp()));
});

test('duplicate labels are disambiguated', () => {
  const g = new Graph('dup');
  const x = g.input('x', [2]);
  g.output('a', x.exp().named('t'));
  g.output('b', x.sin().named('t'));
  const text = printGraph(g, { sites: false });
  expect(text).toContain('t: f32[2] = exp x');
  expect(text).toContain('t_2: f32[2] = sin x');
});
