// gradCheck as a public API: it passes on correct gradients, catches wrong ones, samples large
// params, accepts inner nodes and leaf names, and formats a readable table.
import { describe, expect, test } from 'vitest';
import { evaluate, formatGradCheck, grad, gradCheck } from '../../src/index.ts';
import * as B from '../../src/builder/ops.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { Graph } from '../../src/ir/graph.ts';
import { normal, zeros } from '../../src/ir/init.ts';

function tinyNet() {
  const g = new Graph('tiny');
  const x = g.input('x', [3, 4]);
  const w = g.param('w', [4, 2], normal(0.5));
  const b = g.param('b', [2], zeros);
  const h = B.tanh(B.add(B.matmul(x, w), b));
  const loss = B.sum(B.mul(h, h));
  const feeds = { x: Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)) };
  return { g, x, w, b, h, loss, feeds };
}

describe('gradCheck', () => {
  test('checks gradients computed elsewhere (what gradc check does with compiled ones)', () => {
    const { g, w, loss, feeds } = tinyNet();
    const [dw] = grad(loss, [w]);
    const f32 = Float32Array.from(evaluate(g, [dw!], feeds)[0]!); // as a float32 backend would
    const ok = gradCheck(g, loss, [w], feeds, undefined, { values: [f32], atol: 1e-6, rtol: 1e-5 });
    expect(ok.pass).toBe(true);
    expect(ok.targets[0]!.maxAbsError).toBeGreaterThan(0); // the float32 values were checked
    const zeros = gradCheck(g, loss, [w], feeds, undefined, { values: [new Float32Array(8)] });
    expect(zeros.pass).toBe(false);
    expect(zeros.targets[0]!.symbolicAbsError).toBeLessThan(1e-8); // the rule itself is right
    expect(() =>
      gradCheck(g, loss, [w], feeds, undefined, { values: [new Float32Array(3)] }),
    ).toThrow('gradCheck: values[0] has 3 elements for [4,2]');
  });

  test('agrees with finite differences on a small net, per target', () => {
    const { g, w, x, loss, feeds } = tinyNet();
    const report = gradCheck(g, loss, [w, 'b', x], feeds);
    expect(report.pass).toBe(true);
    expect(report.targets.map((t) => t.name)).toEqual(['w', 'b', 'x']);
    expect(report.targets.map((t) => t.checked)).toEqual([8, 2, 12]);
    for (const t of report.targets) expect(t.maxAbsError).toBeLessThan(1e-8);
    expect(report.loss).toBeGreaterThan(0);
  });

  test('catches a gradient that disagrees with the function', () => {
    // stop_gradient hides one factor from grad, but finite differences see both: 2x vs x.
    const g = new Graph('wrong');
    const x = g.input('x', [3]);
    const loss = B.sum(B.mul(x, B.stopGradient(x)));
    const report = gradCheck(g, loss, [x], { x: [1, -2, 3] });
    expect(report.pass).toBe(false);
    const t = report.targets[0]!;
    expect(t.pass).toBe(false);
    expect(t.worst!.index).toBe(2);
    expect(t.worst!.symbolic).toBeCloseTo(3, 9);
    expect(t.worst!.numeric).toBeCloseTo(6, 6);
    expect(t.maxRelError).toBeCloseTo(0.5, 6);
    expect(formatGradCheck(report)).toMatch(
      /gradient check FAIL[\s\S]*x\s+\[3\]\s+3\/3[\s\S]*FAIL/,
    );
  });

  test('samples at most maxElements per target, deterministically by seed', () => {
    const { g, w, loss, feeds } = tinyNet();
    const a = gradCheck(g, loss, [w], feeds, undefined, { maxElements: 3, seed: 7 });
    const b = gradCheck(g, loss, [w], feeds, undefined, { maxElements: 3, seed: 7 });
    expect(a.targets[0]!.checked).toBe(3);
    expect(a.targets[0]!.worst).toEqual(b.targets[0]!.worst);
    expect(a.pass).toBe(true);
  });

  test('an inner node is perturbed as a free variable', () => {
    const { g, h, loss, feeds } = tinyNet();
    const report = gradCheck(g, loss, [h], feeds);
    expect(report.pass).toBe(true);
    expect(report.targets[0]!.name).toMatch(/^%\d+ \(tanh\)$/);
  });

  test('a target the loss does not reach has zero gradient both ways', () => {
    const g = new Graph('unused');
    const x = g.input('x', [2]);
    const u = g.input('u', [2]);
    const report = gradCheck(g, B.sum(B.exp(x)), [u], { x: [0, 1], u: [3, 4] });
    expect(report.pass).toBe(true);
    expect(report.targets[0]!.maxAbsError).toBe(0);
  });

  test('an unknown name is a GraphError listing the known ones', () => {
    const { g, loss, feeds } = tinyNet();
    expect(() => gradCheck(g, loss, ['W'], feeds)).toThrow(GraphError);
    expect(() => gradCheck(g, loss, ['W'], feeds)).toThrow(
      "gradCheck: no param or input named 'W' (known: w, b, x)",
    );
  });

  test('formatGradCheck prints one aligned row per target', () => {
    const { g, loss, feeds } = tinyNet();
    const text = formatGradCheck(gradCheck(g, loss, ['w', 'b'], feeds));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^gradient check PASS: loss [\d.]+, eps 0.000001, atol/);
    expect(lines[1]).toMatch(/^target\s+shape\s+checked\s+max abs err\s+max rel err/);
    expect(lines[2]).toMatch(/^w\s+\[4,2\]\s+8\/8\s+\d\.\d\de-\d+/);
    expect(lines[3]).toMatch(/^b\s+\[2\]\s+2\/2/);
    expect(lines[2]!.indexOf('8/8')).toBe(lines[3]!.indexOf('2/2'));
  });
});
