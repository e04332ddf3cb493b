// run() on a training executable compiles only what its outputs need: the forward outputs, never
// the backward pass or the update. Outputs that need gradients (`grad_norm`, `grad_norm.<param>`)
// come from step() and are absent from run()'s results, on every target.
import { describe, expect, test } from 'vitest';
import { forwardOnly, gradientOutputs, runOutputs } from '../../src/autodiff/forward-only.ts';
import { compile } from '../../src/compile.ts';
import type { Target } from '../../src/runtime/executable.ts';
import { toProgram } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import { WGSL_SKIP } from '../examples/targets.ts';
import { tinyLm as lm, tokenIds as ids } from '../support/tiny-lm.ts';

const GRAD_OUTS = ['grad_norm', 'grad_norm.ln.beta', 'grad_norm.ln.gamma'];

/** Kernel names and notes: backward kernels cite chain-rule steps (∂L/∂…). */
const notesOf = (p: Program) =>
  kernelsOf(p)
    .flatMap((k) => [k.name, ...k.notes])
    .join('\n');

describe('run() on a training graph', () => {
  test('the outputs that need gradients are exactly the gradient norms', () => {
    const g = lm();
    const grads = gradientOutputs(g);
    for (const name of GRAD_OUTS) expect(grads.has(name), name).toBe(true);
    expect(grads.has('loss') || grads.has('pred')).toBe(false);
    expect([...runOutputs(g).keys()]).toEqual(['loss', 'pred']);
  });

  test('the run program has no backward, update or optimizer kernel; the step program has', () => {
    const g = lm();
    const step = toProgram(g);
    const run = toProgram(forwardOnly(g));
    expect(step.updates.size).toBeGreaterThan(0);
    expect(notesOf(step)).toContain('∂L/∂out.W');
    expect(run.updates.size).toBe(0);
    expect(run.outputs.map((o) => o.name).sort()).toEqual(['loss', 'pred']);
    const notes = notesOf(run);
    expect(notes).not.toContain('∂');
    expect(notes).not.toMatch(/_next|\.m\b|\.v\b|grad_norm/);
    expect(run.stats.kernels).toBeLessThan(step.stats.kernels / 2);
  });

  const targets: Target[] = WGSL_SKIP === undefined ? ['interp', 'ts', 'wgsl'] : ['interp', 'ts'];
  test.each(targets)(
    '%s: run() returns the forward outputs; step() the gradient norms',
    async (t) => {
      const g = lm();
      const exe = await compile(g, { target: t });
      const ref = await compile(g, { target: 'interp' });
      try {
        const f = { x: ids(1), y: ids(2) };
        // No learning rate: run() computes nothing that reads it (the interpreter wants every input).
        const out = await exe.run(t === 'interp' ? { ...f, lr: [0] } : f);
        expect(Object.keys(out).sort()).toEqual(['loss', 'pred']);
        const want = await ref.step({ ...f, lr: [0] }); // lr 0: the params stay put
        expect(out['loss']![0]).toBeCloseTo(want['loss']![0]!, 4);
        for (const name of GRAD_OUTS) expect(want[name], name).toBeDefined();
        const stepped = await exe.step({ ...f, lr: [0.01] });
        for (const name of GRAD_OUTS)
          expect(stepped[name]![0], name).toBeCloseTo(want[name]![0]!, 3);
        if (exe.target === 'wgsl') {
          // The forward program WGSL built for run() dispatches far fewer kernels than the step.
          const { main, forward } = (
            exe as unknown as { stats: Record<string, { dispatches: number }> }
          ).stats;
          expect(forward!.dispatches).toBeLessThan(main!.dispatches / 2);
        }
      } finally {
        exe.dispose();
      }
    },
  );
});
