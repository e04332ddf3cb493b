// Test helpers for op reference tests: build a one-output graph, interpret it, compare numbers.
import { expect } from 'vitest';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { interpret } from '../../src/interp/interpret.ts';
import type { Values } from '../../src/interp/interpret.ts';

/** Build `y = build(g)` in a fresh graph, interpret it, and return y's shape and values. */
export function run(
  build: (g: Graph) => Node,
  inputs: Values = {},
): { shape: readonly number[]; dtype: string; values: number[] } {
  const g = new Graph('t');
  const y = g.output('y', build(g));
  const out = interpret(g, inputs).outputs['y']!;
  return { shape: y.shape, dtype: y.dtype, values: Array.from(out) };
}

/** Element-by-element closeness with an absolute+relative tolerance; lengths must match. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (Number.isNaN(e)) {
      expect(a, `element ${i}`).toBeNaN();
      continue;
    }
    const ok = Math.abs(a - e) <= tol * (1 + Math.abs(e));
    expect(ok, `element ${i}: got ${a}, expected ${e}`).toBe(true);
  }
}
