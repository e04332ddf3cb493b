// The text form of a scheduled program: one block per step (kernel name, kind, iteration shape,
// fused ops, notes, buffers read and written), then the memory plan. Used by `gradc inspect`.
import type { Kernel, Program, Step } from './kernel.ts';
import { kindOf } from './kinds/index.ts';
import { readsOf, writesOf } from './walk.ts';

/** The iteration space of a kernel, e.g. "[4,8]", "[4] Σ over [8]", "2×[4,8]·[8,3]". */
export function kernelShape(k: Kernel): string {
  return kindOf(k).shape(k);
}

function printStep(s: Step, i: number): string[] {
  if (s.kind === 'copy') return [`step ${i}: copy ${s.from} → ${s.to} (${s.size} elements)`];
  if (s.kind === 'check') return [`step ${i}: check ${s.buf} is finite (${s.size} elements)`];
  const k = s.kernel;
  const lines = [`kernel ${i}: ${k.name}`, `  kind    ${k.kind} ${kernelShape(k)}`];
  lines.push(`  ops     ${k.ops.join(' → ') || '-'}`);
  lines.push(`  reads   ${[...readsOf(k)].sort().join(', ') || '-'}`);
  lines.push(`  writes  ${[...writesOf(k)].sort().join(', ') || '-'}`);
  for (const n of k.notes) lines.push(`  # ${n}`);
  return lines;
}

export function printProgram(p: Program): string {
  const blocks = p.steps.map((s, i) => printStep(s, i).join('\n'));
  const st = p.stats;
  const mem =
    `memory: ${st.kernels} kernels, peak ${st.peakBytes} bytes of temporaries in ` +
    `${p.slots.length} reused buffers (unplanned: ${st.unplannedBytes} bytes)`;
  return `program ${p.name} {\n${blocks.join('\n\n')}\n\n${mem}\n}\n`;
}
