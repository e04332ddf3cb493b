// The steps of a training program that compute its forward outputs without its backward pass or
// its updates: what a generated module's `run` executes (evaluate the loss, params unchanged).
// The pipeline names the outputs and the buffers of the nodes they need (src/pipeline.ts
// runEntry); fusion keeps those nodes' kernels apart from all other work (schedule/siblings.ts).
// A step belongs to `run` because it computes one of those buffers, and then it must read and
// write nothing else: a kernel that would also touch a gradient, an optimizer state or a param is
// an error here, so `run` cannot execute backward or update work by construction.
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

const stepName = (s: Step) => (s.kind === 'kernel' ? `kernel ${s.kernel.name}` : `${s.kind} step`);

/**
 * The steps of `p` that compute `own` (the temps of the nodes `outputs` need), in order, with the
 * inputs they read. Throws when such a step reads a temp outside `own` or writes anything else.
 */
export function evalSteps(
  p: Program,
  outputs: ReadonlySet<string>,
  own: ReadonlySet<string>,
): EvalSteps {
  const role = new Map(p.buffers.map((b) => [b.name, b.role]));
  // What run may read besides its own temps: the feeds, the params and the constants.
  const readable = (b: string) =>
    own.has(b) || (role.get(b) !== 'temp' && role.get(b) !== undefined);
  const written = new Set<string>();
  const read = new Set<string>();
  const steps: Step[] = [];
  for (const s of p.steps) {
    const writes = [...stepWrites(s)];
    if (!writes.some((b) => own.has(b))) {
      if (observes(s, written)) steps.push(s);
      continue;
    }
    const stray = writes.find((b) => !own.has(b)) ?? [...stepReads(s)].find((b) => !readable(b));
    if (stray !== undefined) {
      const what = writes.includes(stray) ? 'writes' : 'reads';
      throw new Error(
        `internal: the run of ${p.name} needs ${stepName(s)}, which also ${what} ${stray} (not a value of the forward outputs)`,
      );
    }
    for (const b of writes) written.add(b);
    for (const b of stepReads(s)) read.add(b);
    steps.push(s);
  }
  const inputs = p.buffers.filter((b) => b.role === 'input' && read.has(b.name)).map((b) => b.name);
  const kept = p.outputs.filter((o) => outputs.has(o.name)).map((o) => o.name);
  return { steps, inputs, outputs: kept };
}
