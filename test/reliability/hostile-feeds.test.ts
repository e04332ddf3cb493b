// Hostile feeds and setParams on every target: each mistake is one GraphError naming the input or
// param (never a TypeError from inside, never a silent NaN or a truncated integer), and a refused
// setParams changes nothing. Before, an i32 input fed 2.7 gave 2.7 on the interpreter and 2 on the
// compiled targets, and strings or {length} objects ran as NaN.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { constant } from '../../src/ir/init.ts';
import { allTargets } from '../support/targets.ts';

const TARGETS = await allTargets('reliability/hostile-feeds');

function graph(): Graph {
  const g = new Graph('hostile');
  const x = g.input('x', [4]);
  const k = g.input('k', [4], 'i32'); // an i32 input that is no index: nothing bounds-checks it
  g.output('y', B.add(B.mul(x, g.param('w', [4], constant(1))), B.cast(k, 'f32')));
  return g;
}

const x = new Float32Array([1, 2, 3, 4]);
const k = [1, 2, 3, 4];
type Bad = readonly [string, unknown, string];
const BAD_FEEDS: readonly Bad[] = [
  ['null', null, 'inputs must be an object of named arrays, got null'],
  ['a string', 'x', 'inputs must be an object of named arrays, got x'],
  ['{length: 4}', { x: { length: 4 }, k }, "input 'x': got Object; pass a Float32Array"],
  ['strings', { x: ['1', 'a', '2', '3'], k }, `input 'x': element 0 is "1", not a number`],
  ['undefined holes', { x: [1, 2, undefined, 4], k }, "input 'x': element 2 is undefined"],
  ['a fraction', { x, k: Float32Array.from([1, 2.7, 3, 4]) }, "input 'k' i32[4]: element 1 is 2."],
  ['NaN', { x, k: [1, 2, NaN, 4] }, "input 'k' i32[4]: element 2 is NaN, not an int32"],
  ['3e9', { x, k: [3e9, 2, 3, 4] }, "input 'k' i32[4]: element 0 is 3000000000, not an int32"],
  ['2³¹ as Uint32', { x, k: Uint32Array.from([1, 2, 3, 2 ** 31]) }, "input 'k' i32[4]: element 3"],
];
const BAD_PARAMS: readonly Bad[] = [
  ['null', null, 'setParams takes an object of named arrays, got null'],
  ['a null value', { w: null }, "missing param 'w' f32[4]"],
  ['strings', { w: ['a', 'b', 'c', 'd'] }, `param 'w': element 0 is "a", not a number`],
  ['an unknown name', { w: x, q: x }, "unknown param 'q'"],
  ['a wrong size', { w: new Float32Array(5) }, "param 'w': expected 4 values for shape [4], got 5"],
];

describe('hostile feeds and params', () => {
  for (const t of TARGETS) {
    test.skipIf(t.skip)(`${t.name}: one GraphError each, and nothing changed`, async () => {
      const exe = await compile(graph(), t);
      try {
        for (const [what, feeds, msg] of BAD_FEEDS) {
          const run = exe.run(feeds as never);
          await expect(run, what).rejects.toMatchObject({ name: 'GraphError' });
          await expect(run, what).rejects.toThrow(msg);
        }
        for (const [what, values, msg] of BAD_PARAMS) {
          let err: unknown = null;
          try {
            exe.setParams(values as never);
          } catch (e) {
            err = e;
          }
          expect(err, what).toMatchObject({ name: 'GraphError' });
          expect((err as Error).message, what).toContain(msg);
        }
        // Integers in any numeric array are fine for i32; refused params left w at 1.
        const ok = await exe.run({ x, k: Float64Array.from([1, -2, 3, 4]) });
        expect([...ok['y']!]).toEqual([2, 0, 6, 8]);
      } finally {
        exe.dispose();
      }
    });
  }
});
