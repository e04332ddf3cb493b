// What the scheduler makes of the two reference training steps: exact kernel counts (printed for
// the README), epilogue fusion, views instead of copies, in-place updates and the memory plan.
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { Kernel, Program } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { kernelExprs, readsOf, visit, writesOf } from '../../src/schedule/walk.ts';
import { reluAdamStep, seedMlpStep } from '../codegen/models.ts';

function writer(p: Program, buf: string): Kernel {
  const ks = kernelsOf(p).filter((k) => writesOf(k).has(buf));
  expect(ks, `kernels writing ${buf}`).toHaveLength(1);
  return ks[0]!;
}

function has(k: Kernel, pred: (e: Expr) => boolean): boolean {
  let found = false;
  visit(kernelExprs(k), (e) => (found ||= pred(e)));
  return found;
}

/** A map kernel that only moves data (every store is a plain load): a copy. */
const isCopy = (k: Kernel) => k.kind === 'map' && k.stores.every((s) => s.expr.k === 'load');

/** Once-per-model setup in the generated API (checkSizes allocates only the error it throws). */
const SETUP = new Set([
  'createWorkspace',
  'initParams',
  'initNormal',
  'initUniform',
  'create',
  'sizesOf',
  'checkSizes',
]);

/** Lines of the module that allocate inside a function other than the setup ones. */
function allocationsInFunctions(source: string): string[] {
  const bad: string[] = [];
  let fn: string | null = null;
  for (const line of source.split('\n')) {
    const open = /^(?:export )?function (\w+)/.exec(line);
    if (open) fn = open[1]!;
    else if (line === '}') fn = null;
    else if (fn && !SETUP.has(fn) && /\bnew /.test(line)) bad.push(`${fn}: ${line}`);
  }
  return bad;
}

it('the allocation scan finds an allocation inside a function', () => {
  const src =
    'const ok = new Float64Array(3);\nfunction k(): void {\n  const t = new Float32Array(2);\n}\n';
  expect(allocationsInFunctions(src)).toEqual(['k:   const t = new Float32Array(2);']);
});

describe('seed MLP 784-30-10 training step (forward + backward + SGD)', async () => {
  const { program: p, source } = await emitTs(seedMlpStep().g);

  it('has 9 kernels', () => {
    console.log(`seed MLP step: ${p.stats.kernels} kernels, ${p.stats.peakBytes} B temporaries`);
    expect(p.stats.kernels).toBe(9);
  });

  it('puts the bias add and sigmoid in the matmul epilogue', () => {
    for (const [a, b] of [
      ['a1', 'b1'],
      ['a2', 'b2'],
    ] as const) {
      const k = writer(p, a);
      expect(k.kind).toBe('matmul');
      expect(readsOf(k).has(b)).toBe(true);
      expect(has(k, (e) => e.k === 'un' && e.op === 'sigmoid')).toBe(true);
      expect(has(k, (e) => e.k === 'acc')).toBe(true);
    }
  });

  it('computes δ = (a − y) ⊙ a ⊙ (1 − a) in one kernel read directly by the W2 gradient', () => {
    const w2 = writer(p, 'W2');
    expect(w2.kind).toBe('matmul');
    const delta = writer(p, w2.kind === 'matmul' ? w2.b.buf : '');
    expect(delta.kind).toBe('map');
    expect([...readsOf(delta)].sort()).toEqual(['a2', 'y']);
    expect(writesOf(delta).size).toBe(1);
  });

  it('fuses each SGD update into its gradient kernel, in place', () => {
    expect(writer(p, 'W1').kind).toBe('matmul');
    expect(writer(p, 'W2').kind).toBe('matmul');
    expect(writer(p, 'b1').kind).toBe('reduce');
    expect(writer(p, 'b2').kind).toBe('reduce');
    expect([...p.updates]).toEqual([
      ['W1', 'W1'],
      ['b1', 'b1'],
      ['W2', 'W2'],
      ['b2', 'b2'],
    ]);
    expect(p.steps.filter((s) => s.kind === 'copy')).toEqual([]);
  });

  it('reads transposes and broadcasts as views: no copy kernels', () => {
    expect(
      kernelsOf(p)
        .filter(isCopy)
        .map((k) => k.name),
    ).toEqual([]);
  });

  it('plans memory below the unplanned total and allocates nothing per step', () => {
    expect(p.stats.peakBytes).toBeLessThan(p.stats.unplannedBytes);
    expect(allocationsInFunctions(source)).toEqual([]);
    expect(source).toMatch(/export function step\(/);
  });
});

describe('2-layer ReLU / softmax-CE / Adam training step', async () => {
  const { program: p, source } = await emitTs(reluAdamStep().g);

  it('has 18 kernels', () => {
    console.log(`ReLU/softmax-CE/Adam step: ${p.stats.kernels} kernels, ${p.stats.peakBytes} B`);
    expect(p.stats.kernels).toBe(18);
  });

  it('updates each param and its moments in place in one kernel', () => {
    for (const name of ['W1', 'b1', 'W2', 'b2']) {
      const k = writer(p, name);
      expect([...writesOf(k)].sort()).toEqual([name, `${name}_m`, `${name}_v`].sort());
      expect(p.updates.get(name)).toBe(name);
    }
    expect(p.steps.filter((s) => s.kind === 'copy')).toEqual([]);
  });

  it('has no copy kernels, plans memory and allocates nothing per step', () => {
    expect(
      kernelsOf(p)
        .filter(isCopy)
        .map((k) => k.name),
    ).toEqual([]);
    expect(p.stats.peakBytes).toBeLessThan(p.stats.unplannedBytes);
    expect(allocationsInFunctions(source)).toEqual([]);
  });
});
