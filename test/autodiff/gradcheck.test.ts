// Runs every row of the gradient-check table as a seeded property: random small shapes, random
// broadcasting partners and attributes, random values in the row's domain; first and second order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatGradCheck } from '../../src/autodiff/check.ts';
import type { GradCheckReport } from '../../src/autodiff/check.ts';
import { BINARY_OPS, UNARY_OPS } from '../../src/ops/names.ts';
import { topo } from '../../src/ir/traverse.ts';
import { hasVjp } from '../../src/ops/dispatch.ts';
import { OP_NAMES } from '../../src/ops/table.ts';
import { GRAD_EXCLUDED, GRAD_TABLE } from './gradcheck-table.ts';
import type { GradCase } from './gradcheck-table.ts';
import { buildCase, checkFirst, checkSecond } from './harness.ts';

const NUM_RUNS = 25;

function expectPass(report: GradCheckReport, c: GradCase): void {
  if (!report.pass) expect.fail(`${c.note}\n${formatGradCheck(report)}`);
}

describe('gradient-check table', () => {
  test('covers every differentiable primitive and the composites', () => {
    const names = new Set(GRAD_TABLE.map((r) => r.name));
    for (const op of [...UNARY_OPS, ...BINARY_OPS]) expect(names, op).toContain(op);
    const rest = ['where', 'sum', 'max', 'reshape', 'permute', 'broadcast', 'slice', 'pad'];
    const more = ['concat', 'matmul', 'gather', 'scatter_add', 'conv2d', 'maxPool2d', 'layerNorm'];
    for (const op of [...rest, ...more]) expect(names, op).toContain(op);
    expect(GRAD_TABLE.length).toBe(names.size);
  });

  test('every op of the op table with a derivative is exercised by some row, or excluded', () => {
    const seen = new Set<string>();
    GRAD_TABLE.forEach((row, r) => {
      for (const c of fc.sample(row.cases, { seed: r, numRuns: 8 })) {
        for (const n of topo([buildCase(row, c, r).y])) seen.add(n.op);
      }
    });
    const missing = OP_NAMES.filter((op) => hasVjp(op) && !seen.has(op) && !GRAD_EXCLUDED[op]);
    expect(missing).toEqual([]);
    // An exclusion is for an op the table cannot reach; one it does reach must not be excluded.
    const stale = Object.keys(GRAD_EXCLUDED).filter((op) => seen.has(op));
    expect(stale).toEqual([]);
  });

  GRAD_TABLE.forEach((row, r) => {
    test(`${row.name}: first derivatives`, () => {
      fc.assert(
        fc.property(row.cases, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, seed) => {
          expectPass(checkFirst(row, c, seed), c);
        }),
        { seed: 1000 + r, numRuns: NUM_RUNS },
      );
    });
    if (row.order < 2) return;
    test(`${row.name}: second derivatives (grad of grad)`, () => {
      fc.assert(
        fc.property(row.cases, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, seed) => {
          expectPass(checkSecond(row, c, seed), c);
        }),
        { seed: 2000 + r, numRuns: NUM_RUNS },
      );
    });
  });
});
