// Differential-test helpers: compile a graph to TypeScript, run it, and compare every output (and
// every param update) with the float64 interpreter under a stated float32 tolerance.
import { expect } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import type { CompileOptions } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import type { Evaluation } from '../../src/interp/interpret.ts';
import type { Feeds } from '../../src/runtime/executable.ts';
import type { FuzzGraph } from '../../src/testing/fuzz.ts';

/**
 * Float32 tolerance: |got − want| ≤ ATOL·(1 + max|want|) + RTOL·|want|, where max|want| is taken
 * over the whole array (a sum of rounded float32 terms errs relative to its largest terms).
 */
export const RTOL = 1e-3;
export const ATOL = 1e-4;

/** The first element outside the tolerance, as a message, or null when all are close. */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i]!, want[i]!];
    if (!(Math.abs(a - e) <= ATOL * (1 + scale) + RTOL * Math.abs(e))) {
      return `element ${i}: got ${a}, expected ${e} (scale ${scale})`;
    }
  }
  return null;
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(mismatch(got, want), what).toBeNull();
}

/** Add ∂loss/∂(every param and f32 input) as outputs `grad_<name>`. */
export function addGradOutputs(f: FuzzGraph): void {
  const g = f.graph;
  const xs = [
    ...[...g.params.values()].map((p) => p.node),
    ...[...g.inputs.values()].filter((n) => n.dtype === 'f32'),
  ];
  grad(f.lossNode, xs).forEach((d, i) => g.output(`grad_${xs[i]!.label}`, d));
}

/** Turn the graph into a training step: p ← p − lr·∂loss/∂p for every param. */
export function addSgdUpdates(f: FuzzGraph, lr = 0.1): void {
  const ps = [...f.graph.params.values()].map((p) => p.node);
  grad(f.lossNode, ps).forEach((d, i) => {
    f.graph.update(ps[i]!.label!, B.sub(ps[i]!, B.mul(d, lr)));
  });
}

/**
 * Compile `g` for the TypeScript target and run `steps` calls (step() when it has updates, else
 * run()), checking outputs and params after every call against the interpreter fed the same
 * float32 params. A value outside the tolerance of the float64 result still passes when it is
 * within it of the graph's float32 result (every f32 node rounded): a float64 value that float32
 * arithmetic cannot reach is the graph's conditioning, not a bug (fuzz seeds 20038 and 70513:
 * layer norms over nearly equal values). Returns the first mismatch as a message, or null.
 */
export async function diffAgainstInterp(
  g: Graph,
  feeds: (k: number) => Feeds,
  steps = 1,
  opts: CompileOptions = {},
): Promise<string | null> {
  const exe = await compile(g, { target: 'ts', ...opts });
  const training = g.updates.size > 0;
  for (let k = 0; k < steps; k++) {
    const inputs = feeds(k);
    const before = Object.fromEntries(Object.entries(exe.params).map(([n, v]) => [n, v.slice()]));
    const ref = interpret(g, inputs, before);
    let rounded: Evaluation | null = null;
    const f32 = () => (rounded ??= interpret(g, inputs, before, [], { roundF32: true }));
    // The float64 mismatch, unless the float32 result is within the tolerance.
    const far = (got: ArrayLike<number>, want: Float64Array, want32: () => Float64Array) => {
      const m = mismatch(got, want);
      return m && mismatch(got, want32()) ? m : null;
    };
    const out = training ? await exe.step(inputs) : await exe.run(inputs);
    for (const [name, want] of Object.entries(ref.outputs)) {
      const m = far(out[name]!, want, () => f32().outputs[name]!);
      if (m) return `step ${k}, output ${name}: ${m}`;
    }
    for (const [name, want] of Object.entries(ref.updates)) {
      const m = far(exe.params[name]!, want, () => f32().updates[name]!);
      if (m) return `step ${k}, param ${name} after the update: ${m}`;
    }
  }
  return null;
}
