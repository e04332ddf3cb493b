// The steps of a training program that compute some of its outputs without applying its updates:
// what a generated module's `run` executes on a training graph (evaluate the loss, params
// unchanged). The pipeline picks the outputs (src/pipeline.ts: forward outputs only). Outputs are
// computed from the params before any update, so this is a subset of the step list, found by
// walking it backwards from the outputs' buffers.
import type { Program, Step } from './kernel.ts';
import { stepReads, stepWrites } from './walk.ts';

export interface EvalSteps {
  readonly steps: readonly Step[];
  /** The inputs those steps read, in the program's buffer order. */
  readonly inputs: readonly string[];
  /** The outputs they compute, in the program's output order. */
  readonly outputs: readonly string[];
}

/** A step that writes nothing (the numerics guard's check) and reads only what was computed. */
const observes = (s: Step, written: ReadonlySet<string>) =>
  stepWrites(s).size === 0 && [...stepReads(s)].every((b) => written.has(b));

/** The steps computing `outputs`, in order, or null when one of them also writes a param. */
export function evalSteps(p: Program, outputs: ReadonlySet<string>): EvalSteps | null {
  const kept = p.outputs.filter((o) => outputs.has(o.name));
  const needed = new Set(kept.map((o) => o.buf));
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
  return { steps, inputs, outputs: kept.map((o) => o.name) };
}
