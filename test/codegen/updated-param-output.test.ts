// An output that is a param the step updates shows the param before the update, as the
// interpreter does, on every target: the update writes the param's buffer in place, so the output
// needs a copy of its own (found by the differential fuzzer: `out = where(c, p, p)` folds to p).
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import * as init from '../../src/ir/init.ts';
import { allTargets } from '../support/targets.ts';

const TARGETS = await allTargets('codegen/updated-param-output');

/** p ← p + x, with outputs that are p itself (twice, and through a fold) and a view of it. */
function graph(): Graph {
  const g = new Graph('aliased');
  const p = g.param('p', [2, 2], init.values([1, 2, 3, 4]));
  const x = g.input('x', [2, 2]);
  const folded: Node = B.where(B.eq(x, p), p, p); // simplifies to p
  g.output('p_out', p);
  g.output('again', p);
  g.output('folded', folded);
  g.output('t', B.transpose(p));
  g.update('p', B.add(p, x));
  return g;
}

describe('an output that is an updated param', () => {
  for (const t of TARGETS) {
    test.skipIf(t.skip)(
      `${t.name}: shows the value before the update, step after step`,
      async () => {
        const exe = await compile(graph(), t);
        try {
          const x = [10, 10, 10, 10];
          const first = await exe.step({ x });
          for (const k of ['p_out', 'again', 'folded'])
            expect([...first[k]!], k).toEqual([1, 2, 3, 4]);
          expect([...first['t']!]).toEqual([1, 3, 2, 4]);
          const second = await exe.step({ x });
          expect([...second['p_out']!]).toEqual([11, 12, 13, 14]);
          expect([...second['folded']!]).toEqual([11, 12, 13, 14]);
          await exe.syncParams?.();
          expect([...exe.params['p']!]).toEqual([21, 22, 23, 24]);
          // run() leaves the params alone and shows them.
          expect([...(await exe.run({ x }))['p_out']!]).toEqual([21, 22, 23, 24]);
        } finally {
          exe.dispose();
        }
      },
    );
  }
});
