// The steps of a training program that compute its outputs without applying its updates: what a
// generated module's `run` executes on a training graph (evaluate the loss, params unchanged).
// Outputs are computed from the params before any update, so this is a subset of the step list,
// found by walking it backwards from the output buffers.
import type { Program, Step } from './kernel.ts';
import { readsOf, writesOf } from './walk.ts';

export interface EvalSteps {
  readonly steps: readonly Step[];
  /** The inputs those steps read, in the program's buffer order. */
  readonly inputs: readonly string[];
}

const writes = (s: Step): readonly string[] =>
  s.kind === 'kernel' ? [...writesOf(s.kernel)] : s.kind === 'copy' ? [s.to] : [];
const reads = (s: Step): readonly string[] =>
  s.kind === 'kernel' ? [...readsOf(s.kernel)] : s.kind === 'copy' ? [s.from] : [];

/** The output-computing steps in order, or null when one of them also writes a param. */
export function evalSteps(p: Program): EvalSteps | null {
  const needed = new Set(p.outputs.map((o) => o.buf));
  const keep = new Array<boolean>(p.steps.length).fill(false);
  for (let i = p.steps.length - 1; i >= 0; i--) {
    const s = p.steps[i]!;
    if (!writes(s).some((b) => needed.has(b))) continue;
    keep[i] = true;
    for (const b of reads(s)) needed.add(b);
  }
  const role = new Map(p.buffers.map((b) => [b.name, b.role]));
  const written = new Set<string>();
  const steps: Step[] = [];
  p.steps.forEach((s, i) => {
    if (keep[i]) {
      for (const b of writes(s)) written.add(b);
      steps.push(s);
    } else if (s.kind === 'check' && written.has(s.buf)) steps.push(s);
  });
  if ([...written].some((b) => role.get(b) === 'param')) return null;
  const inputs = p.buffers
    .filter((b) => b.role === 'input' && needed.has(b.name))
    .map((b) => b.name);
  return { steps, inputs };
}
