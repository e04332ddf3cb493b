// Call sites: each node records the user's file:line (the first frame outside gradc), also when
// the same call position runs many times (the site cache must not mix up positions).
import { expect, test } from 'vitest';
import { Graph } from '../../src/ir/graph.ts';
import { UNKNOWN_SITE, captureSite } from '../../src/ir/site.ts';

/** The line of this file that calls `here()`, read from the (source-mapped) stack. */
function here(): number {
  const frame = new Error().stack!.split('\n')[2]!;
  return Number(/site\.test\.ts:(\d+):\d+/.exec(frame)![1]);
}

test('each node records the line that built it', () => {
  const g = new Graph();
  const x = g.input('x', [2]);
  const [a, lineA] = [x.exp(), here()];
  const [b, lineB] = [x.sin(), here()];
  expect(a.meta.site).toEqual({ file: 'test/ir/site.test.ts', line: lineA });
  expect(b.meta.site).toEqual({ file: 'test/ir/site.test.ts', line: lineB });
  expect(lineB).toBe(lineA + 1);
});

test('a call position reached many times keeps its own line', () => {
  const g = new Graph();
  let x = g.input('x', [2]);
  const lines: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [y, line] = [x.add(1), here()];
    const [z, line2] = [y.mul(2), here()];
    expect(y.meta.site.line).toBe(line);
    expect(z.meta.site.line).toBe(line2);
    lines.push(line, line2);
    x = z;
  }
  expect(new Set(lines).size).toBe(2);
});

test('a user helper function: the innermost frame outside gradc wins', () => {
  const g = new Graph();
  const x = g.input('x', [2]);
  const helper = () => [x.tanh(), here()] as const;
  const [y, line] = helper();
  expect(y.meta.site.line).toBe(line);
});

test('captureSite from test code names this file', () => {
  const [site, line] = [captureSite(), here()];
  expect(site).not.toEqual(UNKNOWN_SITE);
  expect(site).toEqual({ file: 'test/ir/site.test.ts', line });
});
