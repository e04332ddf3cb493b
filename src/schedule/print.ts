// The text form of a scheduled program: one block per step (kernel name, kind, iteration shape,
// fused ops, notes, buffers read and written), then the memory plan. Used by `gradc inspect`.
import type { Kernel, Program, Step } from './kernel.ts';
import { readsOf, writesOf } from './walk.ts';

const dims = (s: readonly number[]) => `[${s.join(',')}]`;

/** The iteration space of a kernel, e.g. "[4,8]", "[4] ⊕ over [8]", "2×[4,8]·[8,3]". */
export function kernelShape(k: Kernel): string {
  switch (k.kind) {
    case 'map':
      return dims(k.shape);
    case 'reduce':
      return `${dims(k.outShape)} ${k.op === 'sum' ? 'Σ' : 'max'} over ${dims(k.redShape)}`;
    case 'scan':
      return `${dims(k.shape)} running Σ along axis ${k.axis}${k.reverse ? ' (from the end)' : ''}`;
    case 'matmul':
      return `${k.batch > 1 ? `${k.batch}×` : ''}[${k.m},${k.k}]·[${k.k},${k.n}]`;
    case 'scatter':
      return `[${k.pre},${k.count},${k.post}] into ${k.size}`;
  }
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
