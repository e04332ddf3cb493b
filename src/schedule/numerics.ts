// The numerics guard's schedule part: a check step after every kernel for each float buffer it
// writes (JAX's debug_nans, PyTensor's NanGuardMode). Inserted after the memory plan, so every
// checked buffer is still live: it was written by the step just before.
import type { CheckStep, Kernel, Program, Step } from './kernel.ts';
import { writesOf } from './walk.ts';

/** `p` with a finiteness check after each kernel; the memory plan and kernels are unchanged. */
export function withNumericsChecks(p: Program): Program {
  const byName = new Map(p.buffers.map((b) => [b.name, b]));
  const steps: Step[] = [];
  for (const s of p.steps) {
    steps.push(s);
    if (s.kind !== 'kernel') continue;
    for (const buf of [...writesOf(s.kernel)].sort()) {
      const b = byName.get(buf)!;
      if (b.dtype === 'f32')
        steps.push({ kind: 'check', buf, size: b.size, what: describe(s.kernel) });
    }
  }
  return { ...p, steps };
}

/** "kernel K (ops: matmul, add) from model.ts:16": what a non-finite report names. */
function describe(k: Kernel): string {
  const from = k.notes.find((n) => n.startsWith('from '));
  return `kernel ${k.name} (ops: ${k.ops.join(', ')})${from ? ` ${from}` : ''}`;
}

export type { CheckStep };
