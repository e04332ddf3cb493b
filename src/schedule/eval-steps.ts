// The steps of a training program that compute its outputs without applying its updates: what a
// generated module's `run` executes on a training graph (evaluate the loss, params unchanged).
// Outputs are computed from the params before any update, so this is a subset of the step list,
// found by walking it backwards from the output buffers.
import type { Program, Step } from './kernel.ts';
import { stepReads, stepWrites } from './walk.ts';

export interface EvalSteps {
  readonly steps: readonly Step[];
  /** The inputs those steps read, in the program's buffer order. */
  readonly inputs: readonly string[];
}

/** A step that writes nothing (the numerics guard's check) and reads only what was computed. */
const observes = (s: Step, written: ReadonlySet<string>) =>
  stepWrites(s).size === 0 && [...stepReads(s)].every((b) => written.has(b));

/** The output-computing steps in order, or null when one of them also writes a param. */
export function evalSteps(p: Program): EvalSteps | null {
  const needed = new Set(p.outputs.map((o) => o.buf));
  const keep = new Array<boolean>(p.steps.length).fill(false);
  for (let i = p.steps.length - 1; i >= 0; i--) {
    const s = p.steps[i]!;
    if (![...stepWrites(s)].some((b) => needed.has(b))) continue;
    keep[i] = true;
    for (const b of stepReads(s)) needed.add(b);
  }
  const role = new Map(p.buffers.map((b) => [b.name, b.role]));
  const written = new Set<string>();
  const steps: Step[] = [];
  p.steps.forEach((s, i) => {
    if (keep[i]) {
      for (const b of stepWrites(s)) written.add(b);
      steps.push(s);
    } else if (observes(s, written)) steps.push(s);
  });
  if ([...written].some((b) => role.get(b) === 'param')) return null;
  const inputs = p.buffers
    .filter((b) => b.role === 'input' && needed.has(b.name))
    .map((b) => b.name);
  return { steps, inputs };
}
