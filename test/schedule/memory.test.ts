// The memory plan on hand-built step lists: liveness-based slot reuse, no reuse within a step,
// dtype-separated slots, slot growth, and pinned outputs living to the end.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/ir/dtype.ts';
import * as E from '../../src/schedule/expr.ts';
import type { Step } from '../../src/schedule/kernel.ts';
import { planMemory } from '../../src/schedule/memory.ts';
import type { TempReq } from '../../src/schedule/memory.ts';

/** A map kernel over [n] writing `out` = Σ reads (loads at the loop index). */
function step(out: string, reads: readonly string[], n = 8): Step {
  const at = E.ivar('i0');
  const expr = reads.map((r) => E.load(r, at, 'f32')).reduce((a, b) => E.bin('add', a, b));
  return {
    kind: 'kernel',
    kernel: {
      kind: 'map',
      name: out,
      notes: [],
      ops: [],
      shape: [n],
      stores: [{ buf: out, expr }],
    },
  };
}

const temp = (name: string, size = 8, dtype: DType = 'f32', pinned = false): TempReq => ({
  name,
  dtype,
  size,
  pinned,
});

describe('planMemory', () => {
  it('reuses the slot of a value once its last reader has run', () => {
    const steps = [step('t1', ['x']), step('t2', ['t1']), step('t3', ['t2']), step('t4', ['t3'])];
    const plan = planMemory(steps, [
      temp('t1'),
      temp('t2'),
      temp('t3'),
      temp('t4', 8, 'f32', true),
    ]);
    const s = (n: string) => plan.slotOf.get(n);
    expect(plan.slots).toHaveLength(2);
    expect(s('t1')).toBe(s('t3'));
    expect(s('t2')).toBe(s('t4'));
    expect(s('t1')).not.toBe(s('t2'));
    expect(plan.peakBytes).toBe(2 * 8 * 4);
    expect(plan.unplannedBytes).toBe(4 * 8 * 4);
  });

  it('keeps a value alive until its last reader, however far away', () => {
    const steps = [
      step('t1', ['x']),
      step('t2', ['t1']),
      step('t3', ['t2']),
      step('t4', ['t1', 't3']),
    ];
    const plan = planMemory(steps, [temp('t1'), temp('t2'), temp('t3'), temp('t4')]);
    const s = (n: string) => plan.slotOf.get(n);
    expect(new Set([s('t1'), s('t2'), s('t3')]).size).toBe(3);
    expect(s('t4')).toBe(s('t2'));
  });

  it('never shares a slot between a step’s inputs and its output', () => {
    const plan = planMemory([step('t1', ['x']), step('t2', ['t1'])], [temp('t1'), temp('t2')]);
    expect(plan.slotOf.get('t1')).not.toBe(plan.slotOf.get('t2'));
  });

  it('keeps pinned outputs to the end', () => {
    const steps = [step('out', ['x']), step('t2', ['x']), step('t3', ['t2'])];
    const plan = planMemory(steps, [temp('out', 8, 'f32', true), temp('t2'), temp('t3')]);
    expect(plan.slotOf.get('t3')).not.toBe(plan.slotOf.get('out'));
  });

  it('separates dtypes and grows a reused slot to the largest value', () => {
    const steps = [step('a', ['x']), step('b', ['a']), step('c', ['b']), step('d', ['c'])];
    const plan = planMemory(steps, [
      temp('a', 4),
      temp('b', 4, 'i32'),
      temp('c', 16),
      temp('d', 4, 'i32'),
    ]);
    expect(plan.slotOf.get('a')).toBe(plan.slotOf.get('c'));
    expect(plan.slotOf.get('b')).toBe(plan.slotOf.get('d'));
    expect(plan.slots.map((s) => [s.dtype, s.size]).sort()).toEqual([
      ['f32', 16],
      ['i32', 4],
    ]);
  });

  it('treats a copy step as reading its source', () => {
    const steps: Step[] = [
      step('t1', ['x']),
      { kind: 'copy', from: 't1', to: 'p', size: 8 },
      step('t2', ['x']),
    ];
    const plan = planMemory(steps, [temp('t1'), temp('t2')]);
    expect(plan.slotOf.get('t2')).toBe(plan.slotOf.get('t1'));
    expect(plan.slots).toHaveLength(1);
  });
});
