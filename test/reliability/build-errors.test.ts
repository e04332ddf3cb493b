// Silent wrong results at graph build and feed time, and unclear errors: zero-sized dimensions,
// duplicate output/update names, huge params, BigInt feeds — each one GraphError naming what
// to change (and the user's line where there is one).
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { constant } from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';
import { caught } from '../support/errors.ts';

const line = () =>
  Number(/build-errors\.test\.ts:(\d+)/.exec(new Error().stack!.split('\n')[2]!)![1]);

describe('zero-sized dimensions are rejected at graph build', () => {
  it('inputs, params, constants and op results with a 0 dimension', () => {
    const g = new Graph('zero');
    const x = g.input('x', [4, 3]);
    const cases: [() => unknown, RegExp][] = [
      [
        () => g.input('e', [2, 0]),
        /^input: every dimension must be a positive integer, but the result shape is \[2,0\]/,
      ],
      [() => g.param('p', [0], zeros), /^param: .*result shape is \[0\]/],
      [() => constant(g, 1, [3, 0]), /^constant: .*result shape is \[3,0\]/],
      [
        () =>
          x.slice([
            [0, 4],
            [1, 1],
          ]),
        /result shape is \[4,0\]/,
      ],
    ];
    for (const [fn, want] of cases) {
      const e = caught(fn);
      expect(e.message).toMatch(want);
      expect(e.message).toMatch(/build-errors\.test\.ts:\d+/);
    }
  });
});

describe('duplicate outputs and updates are errors', () => {
  it('a second g.output or g.update with the same name names it and the line', () => {
    const g = new Graph('dup');
    const x = g.input('x', [2]);
    const w = g.param('w', [2], zeros);
    g.output('y', x.mul(w));
    const at = line() + 1;
    const e1 = caught(() => g.output('y', x.add(w)));
    expect(e1.message).toBe(
      `output 'y' is declared twice (outputs need distinct names) (at test/reliability/build-errors.test.ts:${at})`,
    );
    g.update('w', w.add(1));
    const e2 = caught(() => g.update('w', w.add(2)));
    expect(e2.message).toMatch(/^update of param 'w' is declared twice/);
    expect(g.outputs.get('y')!.op).toBe('mul'); // the first declaration stands
  });
});

describe('unclear errors become GraphErrors', () => {
  it('a param too large to allocate names the param and its bytes, on TS and WGSL', async () => {
    const g = new Graph('huge');
    const x = g.input('x', [4]);
    const at = line() + 1;
    const W = g.param('W', [32768, 32768], zeros);
    g.output('y', W.sum().add(x.sum()));
    for (const target of ['ts', 'wgsl', 'interp'] as const) {
      const err = await compile(g, { target }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, target).toMatchObject({ name: 'GraphError' });
      expect((err as Error).message).toBe(
        `param 'W' [32768,32768] needs 4294967296 bytes as float32: too large to allocate in one array (at most 1073741824 bytes); make it smaller or split it (at test/reliability/build-errors.test.ts:${at})`,
      );
    }
  });

  it('BigInt arrays and non-arrays as feeds name the input and what to pass', async () => {
    const g = new Graph('feeds');
    g.output('y', g.input('x', [2]).mul(2));
    const exe = await compile(g, { target: 'ts' });
    await expect(exe.run({ x: new BigInt64Array(2) as unknown as number[] })).rejects.toThrow(
      "input 'x': got BigInt64Array; pass a Float32Array, Int32Array or an array of numbers",
    );
    await expect(exe.run({ x: 3 as unknown as number[] })).rejects.toThrow(
      "input 'x': got number; pass a Float32Array",
    );
  });
});
