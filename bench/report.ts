// Renders a benchmark outcome as text tables (console) and Markdown, and writes the JSON and
// Markdown files under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Environment } from './env.ts';
import type { ScaleTime } from './gradc-compile.ts';
import type { Workload } from './harness.ts';
import { METRIC } from './summary.ts';
import type { Figure, Target } from './summary.ts';

export interface Report {
  env: Environment;
  quick: boolean;
  reps: number;
  impls: Array<{ name: string; version: string; notes: string; unavailable?: string }>;
  figures: Partial<Record<Workload, Figure[]>>;
  targets: Target[];
}

const TITLES: Record<Workload, string> = {
  W1: 'W1 seed MLP 784-30-10, SGD η=3, batch 10 (samples/s over an epoch; higher is better)',
  W2: 'W2 MLP 784-512-512-10, Adam, batch 128 (ms per step; lower is better)',
  W3: 'W3 f32 matmul (GFLOP/s; higher is better)',
  W4: 'W4 compile time (gradc only)',
  W5: 'W5 memory plan of the W2 step (gradc only)',
};

const num = (v: number | undefined, d = 1) =>
  v === undefined ? '' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(d);
const str = (v: unknown, d = 0) =>
  typeof v === 'number' ? num(v, d) : v === undefined ? '' : String(v);

function rows(w: Workload, figs: Figure[]): string[][] {
  if (w === 'W4') {
    const head = [
      'impl',
      'W1 compile() ms (med)',
      'emitTs ms',
      'ladder small',
      'ladder large',
      '10k/1k',
    ];
    return [
      head,
      ...figs.map((f) => {
        const e = f.extra;
        const large = `${str(e['largeNodes'])} nodes: ${e['largeTimedOut'] ? '> ' : ''}${str(e['largeMs'], 0)} ms${e['ladderError'] ? ` (${String(e['ladderError'])})` : ''}`;
        return f.status
          ? [f.impl, f.status, '', '', '', '']
          : [
              f.impl,
              num(f.median, 0),
              str(e['w1EmitMs'], 0),
              `${str(e['smallNodes'])} nodes: ${str(e['smallMs'], 0)} ms`,
              large,
              `${e['largeTimedOut'] ? '≥ ' : ''}${str(e['ladderRatio'], 2)}`,
            ];
      }),
    ];
  }
  if (w === 'W5') {
    const head = ['impl', 'kernels', 'peak bytes (plan)', 'Σ intermediates bytes', 'peak / Σ'];
    return [
      head,
      ...figs.map((f) =>
        f.status
          ? [f.impl, f.status, '', '', '']
          : [
              f.impl,
              str(f.extra['kernels']),
              num(f.median, 0),
              str(f.extra['unplannedBytes']),
              `${((f.extra['ratio'] as number) * 100).toFixed(1)}%`,
            ],
      ),
    ];
  }
  const m = METRIC[w];
  const extraHead =
    w === 'W1' ? 'test accuracy' : w === 'W2' ? 'final loss' : 'check (max rel err)';
  const head = ['impl', `${m.name} median`, 'min–max', 'reps', 'vs best peer', extraHead];
  const ex = (f: Figure) =>
    w === 'W1'
      ? `${((f.extra['accuracy'] as number) * 100).toFixed(2)}%`
      : w === 'W2'
        ? str(f.extra['finalLoss'], 4)
        : `${f.extra['checkOk'] ? 'ok' : 'FAIL'} (${(f.extra['maxRelErr'] as number).toExponential(1)})`;
  return [
    head,
    ...figs.map((f) =>
      f.median === undefined
        ? [f.impl, f.status ?? 'no result', '', '', '', '']
        : [
            f.impl,
            num(f.median, w === 'W3' ? 2 : 1),
            `${num(f.min, 2)}–${num(f.max, 2)}`,
            String(f.reps),
            f.vsBestPeer === undefined ? '' : `${f.vsBestPeer.toFixed(2)}×`,
            ex(f),
          ],
    ),
  ];
}

export function textTable(t: string[][]): string {
  const widths = t[0]!.map((_, c) => Math.max(...t.map((r) => (r[c] ?? '').length)));
  return t
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function mdTable(t: string[][]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(t[0]!), line(t[0]!.map(() => '---')), ...t.slice(1).map(line)].join('\n');
}

function sections(r: Report, table: (t: string[][]) => string, h: string): string[] {
  const out: string[] = [];
  for (const [w, figs] of Object.entries(r.figures) as Array<[Workload, Figure[]]>) {
    out.push(`${h}${TITLES[w]}`, '', table(rows(w, figs)), '');
    const scale = figs.find((f) => typeof f.extra['scale'] === 'string')?.extra['scale'];
    if (w === 'W4' && typeof scale === 'string') {
      out.push(`${h}W4 at scale (grad + compile, TS target)`, '', table(scaleRows(scale)), '');
    }
  }
  const tt = [
    ['target', 'measured', 'verdict'],
    ...r.targets.map((t) => [t.text, t.measured, t.verdict]),
  ];
  out.push(`${h}Targets`, '', table(tt), '');
  return out;
}

function envLines(r: Report): string[] {
  const e = r.env;
  const load = (l: number[] | undefined) => (l ? l.map((v) => v.toFixed(2)).join(' ') : '?');
  return [
    `date ${e.date}; node ${e.node}; ${e.cores} cores (${e.cpu}); load average before ${load(e.loadBefore)}, after ${load(e.loadAfter)}`,
    `versions: ${Object.entries(e.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `WebGPU adapter: ${e.webgpu}`,
    `mode: ${r.quick ? 'BENCH_QUICK' : 'full'}; ${r.reps} interleaved repetitions (W4, W5 once); warm-up excluded`,
    ...r.impls.map((i) => `- ${i.name} ${i.version}: ${i.unavailable ?? i.notes}`),
  ];
}

export function renderText(r: Report): string {
  return [...envLines(r), '', ...sections(r, textTable, '== ')].join('\n');
}

export function renderMarkdown(r: Report): string {
  return [
    '# gradc benchmark',
    '',
    ...envLines(r).map((l) => (l.startsWith('- ') ? l : `${l}  `)),
    '',
    ...sections(r, mdTable, '## '),
  ].join('\n');
}

/** Writes <name>.json and <name>.md into dir. */
export function writeReport(r: Report, dir: URL, name = 'latest'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(new URL(`${name}.md`, dir), renderMarkdown(r));
}

/** One row per scale case: nodes after grad, times, CPU time and peak RSS of its child process. */
function scaleRows(json: string): string[][] {
  const runs = JSON.parse(json) as ScaleTime[];
  const head = ['case', 'mode', 'nodes', 'build+grad ms', 'compile ms', 'cpu ms', 'peak RSS MB'];
  return [
    head,
    ...runs.map((r) =>
      r.error
        ? [`${r.kind} ${r.n}`, r.mode, r.error, '', '', '', '']
        : [
            `${r.kind} ${r.n}`,
            r.mode,
            str(r.nodes),
            r.mode === 'cli' ? '(in compile ms)' : str(r.buildGradMs),
            str(r.compileMs),
            str(r.cpuMs),
            str(r.maxRssMB),
          ],
    ),
  ];
}
