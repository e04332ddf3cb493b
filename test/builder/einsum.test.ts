// einsum against a direct loop over every assignment of the letters (ellipsis and size-1
// broadcasting against the same sum in letters), its errors (naming the bad subscript), and the
// composite compiled to TypeScript and WGSL against the interpreter.
import { describe, expect, test } from 'vitest';
import { einsum } from '../../src/builder/einsum.ts';
import { compile } from '../../src/compile.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { expectClose } from '../ops/run.ts';

/** The textbook definition: sum over all letters of the product of the operands' elements. */
function reference(spec: string, shapes: number[][], data: Float64Array[]): number[] {
  const [lhs, rhs] = spec.split('->') as [string, string];
  const ins = lhs.split(',');
  // A letter's size is its largest: an operand's size-1 axis broadcasts (index 0 throughout).
  const size = new Map<string, number>();
  ins.forEach((s, k) =>
    [...s].forEach((c, d) => size.set(c, Math.max(size.get(c) ?? 1, shapes[k]![d]!))),
  );
  const letters = [...size.keys()];
  const outShape = [...rhs].map((c) => size.get(c)!);
  const out = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
  const val = new Map<string, number>();
  const flat = (s: string, dims: readonly number[]) =>
    [...s].reduce((f, c, d) => f * dims[d]! + (dims[d] === 1 ? 0 : val.get(c)!), 0);
  const walk = (i: number): void => {
    if (i === letters.length) {
      let p = 1;
      ins.forEach((s, k) => (p *= data[k]![flat(s, shapes[k]!)]!));
      out[flat(rhs, outShape)]! += p;
      return;
    }
    for (let v = 0; v < size.get(letters[i]!)!; v++) {
      val.set(letters[i]!, v);
      walk(i + 1);
    }
  };
  walk(0);
  return out;
}

const CASES: [string, number[][]][] = [
  [
    'bij,bjk->bik',
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
  ],
  ['ij->ji', [[3, 4]]],
  ['ii->i', [[4, 4]]],
  ['ii->', [[3, 3]]],
  ['iij->ji', [[3, 3, 2]]],
  [
    'bhqd,bhkd->bhqk',
    [
      [2, 2, 3, 4],
      [2, 2, 5, 4],
    ],
  ],
  [
    'ij,ij->',
    [
      [3, 4],
      [3, 4],
    ],
  ],
  ['i,j->ij', [[3], [4]]],
  [
    'ij,jk,kl->il',
    [
      [2, 3],
      [3, 4],
      [4, 2],
    ],
  ],
  ['ijk->k', [[2, 3, 4]]],
  [
    'ab,bc,ca->',
    [
      [2, 3],
      [3, 4],
      [4, 2],
    ],
  ],
  [
    'bn,anm,bm->ba',
    [
      [2, 3],
      [4, 3, 5],
      [2, 5],
    ],
  ],
];

/** Ellipsis and size-1 broadcasting, each beside the same sum written with letters only. */
const BROADCAST: [string, string, number[][]][] = [
  [
    '...ij,...jk->...ik',
    'abij,bjk->abik',
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  ],
  [
    '...ij,...jk',
    'abij,bjk->abik',
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  ],
  ['...i->i', 'abi->i', [[2, 3, 4]]],
  ['i...->...', 'iab->ab', [[3, 2, 4]]],
  ['...ii->...i', 'aii->ai', [[2, 3, 3]]],
  [
    'a...,...->a...',
    'ayz,yz->ayz',
    [
      [3, 1, 2],
      [4, 1],
    ],
  ],
  ['i...j,j->...', 'ij,j->', [[3, 4], [4]]],
  [
    'ij,jk->ik',
    'ij,jk->ik',
    [
      [3, 1],
      [4, 5],
    ],
  ],
  [
    'bij,bjk->bik',
    'bij,bjk->bik',
    [
      [1, 2, 3],
      [4, 3, 5],
    ],
  ],
  ['i,i->i', 'i,i->i', [[1], [4]]],
  [
    'ij,ij->j',
    'ij,ij->j',
    [
      [3, 1],
      [1, 4],
    ],
  ],
];

const values = (n: number, k: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + k) * 2);

describe('einsum', () => {
  test.each(CASES)('%s matches the direct sum', (spec, shapes) => {
    const g = new Graph('e');
    const xs = shapes.map((s, k) => g.input(`x${k}`, s));
    g.output('y', einsum(spec, ...xs));
    const data = shapes.map((s, k) =>
      values(
        s.reduce((p, d) => p * d, 1),
        k,
      ),
    );
    const feeds = Object.fromEntries(data.map((d, k) => [`x${k}`, d]));
    const got = interpret(g, feeds).outputs['y']!;
    expectClose(got, reference(spec, shapes, data), 1e-12);
  });

  test.each(BROADCAST)('%s matches %s with broadcasting', (spec, letters, shapes) => {
    const g = new Graph('e');
    const xs = shapes.map((s, k) => g.input(`x${k}`, s));
    g.output('y', einsum(spec, ...xs));
    const data = shapes.map((s, k) =>
      values(
        s.reduce((p, d) => p * d, 1),
        k,
      ),
    );
    const feeds = Object.fromEntries(data.map((d, k) => [`x${k}`, d]));
    const got = interpret(g, feeds).outputs['y']!;
    expectClose(got, reference(letters, shapes, data), 1e-12);
  });

  test('ellipsis shapes: right-aligned, broadcast, first in an implicit output', () => {
    const g = new Graph('e');
    const a = g.input('a', [2, 1, 3, 4]);
    const b = g.input('b', [5, 4, 6]);
    expect(einsum('...ij,...jk', a, b).shape).toEqual([2, 5, 3, 6]);
    expect(einsum('...ij,...jk->ik', a, b).shape).toEqual([3, 6]);
    expect(einsum('...j->...', a).shape).toEqual([2, 1, 3]);
    expect(einsum('...,...', g.input('s', [3]), g.input('t', [2, 1])).shape).toEqual([2, 3]);
  });

  test('implicit output: the letters used once, in alphabetical order', () => {
    const g = new Graph('e');
    const a = g.input('a', [3, 4]);
    const b = g.input('b', [4, 5]);
    expect(einsum('ij,jk', a, b).shape).toEqual([3, 5]);
    expect(einsum('ba', a).shape).toEqual([4, 3]);
    expect(einsum('ii', g.input('s', [3, 3])).shape).toEqual([]);
  });

  test('errors name the bad subscript and the operand shapes', () => {
    const g = new Graph('e');
    const a = g.input('a', [3, 4]);
    const b = g.input('b', [5, 6]);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(GraphError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(() => einsum('ijk->i', a))).toMatch(
      /subscript 'ijk' has 3 letters.*rank 2.*\[3,4\]/,
    );
    expect(err(() => einsum('ij,jk->ik', a, b))).toMatch(/subscript 'jk': 'j' is 5 here but 4/);
    expect(err(() => einsum('ij->iz', a))).toMatch(/output subscript 'iz': 'z' is in no input/);
    expect(err(() => einsum('ij->ii', a))).toMatch(/'i' appears twice/);
    expect(err(() => einsum('i1->i', a))).toMatch(/subscript 'i1': '1' is not a letter/);
    expect(err(() => einsum('ij', a, b))).toMatch(/1 subscripts for 2 operands/);
    expect(err(() => einsum('i.j->i', a))).toMatch(/'i\.j': '\.' outside the one ellipsis/);
    expect(err(() => einsum('......->', a))).toMatch(/'\.' outside the one ellipsis/);
    expect(err(() => einsum('...ijk->i', a))).toMatch(/'\.\.\.ijk' has 3 letters.*rank 2/);
    // Broadcasting: a size-1 axis stretches, other sizes must agree (ellipsis axes too).
    const c = g.input('c', [2, 3]);
    const d = g.input('d', [4, 3]);
    expect(err(() => einsum('...i,...i->...i', c, d))).toMatch(
      /subscript '\.\.\.i': the '\.\.\.' axis 0 is 4 here but 2 elsewhere.*\[2,3\].*\[4,3\]/,
    );
    expect(err(() => einsum('ii->i', g.input('r', [3, 1])))).toMatch(
      /subscript 'ii': 'i' is 1 and 3 on one operand/,
    );
  });
});

describe('einsum on every target', async () => {
  const adapter = await hasAdapter();
  const targets = adapter ? (['ts', 'wgsl'] as const) : (['ts'] as const);
  for (const target of targets) {
    test(`${target} matches the interpreter`, async () => {
      const g = new Graph('einsum_targets');
      const q = g.input('q', [2, 2, 3, 4]);
      const k = g.input('k', [2, 2, 5, 4]);
      const m = g.input('m', [4, 4]);
      g.output('att', einsum('bhqd,bhkd->bhqk', q, k));
      g.output('diag', einsum('ii->i', m));
      g.output('tr', einsum('ij->ji', m));
      g.output('ell', einsum('...qd,...kd->...qk', q, einsum('bhkd->hkd', k)));
      g.output('bc', einsum('ij,jk->ik', m, g.input('v', [1, 3])));
      const feeds = {
        q: Float32Array.from(values(48, 0)),
        k: Float32Array.from(values(80, 1)),
        m: Float32Array.from(values(16, 2)),
        v: Float32Array.from(values(3, 3)),
      };
      const ref = interpret(g, feeds);
      const exe = await compile(g, { target });
      try {
        const out = await exe.run(feeds);
        for (const [name, want] of Object.entries(ref.outputs)) expectClose(out[name]!, want, 2e-6);
      } finally {
        exe.dispose();
      }
    });
  }
});
