// The report `gradc compile` prints: params (names, shapes, sizes), kernels and what each fused,
// the memory plan against no planning, compile time, and with --explain-fusion the refusals.
import { relative } from 'node:path';
import type { Graph } from '../index.ts';
import { kernelShape, kernelsOf } from '../internal.ts';
import type { Program } from '../internal.ts';
import { table } from './help.ts';

export interface SummaryInput {
  readonly graph: Graph;
  readonly program: Program;
  readonly target: string;
  readonly files: readonly string[];
  readonly compileMs: number;
}

const dims = (s: readonly number[]) => `[${s.join(',')}]`;

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function paramLines(g: Graph): string[] {
  const rows = [...g.params.values()].map((p) => [
    p.name,
    dims(p.node.shape),
    String(p.node.size),
    p.trainable ? '' : '(state)',
  ]);
  const total = [...g.params.values()].reduce((s, p) => s + p.node.size, 0);
  return [
    `params: ${g.params.size} tensors, ${total} values (${fmtBytes(total * 4)})`,
    ...table(rows).map((l) => `  ${l}`),
  ];
}

function kernelLines(p: Program, explain: boolean): string[] {
  const ks = kernelsOf(p);
  const rows = ks.map((k) => [k.name, `${k.kind} ${kernelShape(k)}`, k.ops.join(' → ')]);
  const lines = [`kernels: ${ks.length}`, ...table(rows).map((l) => `  ${l}`)];
  if (explain) {
    for (const k of ks) {
      lines.push(`  ${k.name}:`);
      for (const n of k.notes) lines.push(`    # ${n}`);
    }
    lines.push('fusion decisions:');
    const notes = p.stats.fusionNotes;
    lines.push(...(notes.length ? notes.map((n) => `  - ${n}`) : ['  (no refusals)']));
  }
  return lines;
}

export function formatCompileSummary(s: SummaryInput, explainFusion = false): string {
  const st = s.program.stats;
  const saved = st.unplannedBytes > 0 ? 100 * (1 - st.peakBytes / st.unplannedBytes) : 0;
  const lines = [
    `compiled graph '${s.graph.name}' for target ${s.target} in ${s.compileMs.toFixed(0)} ms`,
    ...paramLines(s.graph),
    ...kernelLines(s.program, explainFusion),
    `memory: peak ${fmtBytes(st.peakBytes)} of temporaries, ${fmtBytes(st.unplannedBytes)} unplanned (${saved.toFixed(0)}% saved by reuse)`,
    ...s.files.map((f) => `wrote ${relative(process.cwd(), f)}`),
  ];
  return lines.join('\n') + '\n';
}
