// Child process for W4's scale cases: `tsx bench/scale-child.ts <case> <n> <inproc|files>` builds the
// case, takes its gradient, compiles it (TS target) and prints one JSON line of times and peak RSS.
// inproc: compile() (unformatted, transpiled, imported); files: compileToFiles, what
// `gradc compile` runs (prettier formatting, atomic write).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileToFiles } from '../src/cli/api.ts';
import { compile } from '../src/compile.ts';
import { now } from './peers/stats.ts';
import { scaleGraph } from './scale-graphs.ts';
import type { ScaleCase } from './scale-graphs.ts';

const kind = process.argv[2] as ScaleCase;
const n = Number(process.argv[3]);
const mode = process.argv[4] === 'files' ? 'files' : 'inproc';
const t0 = now();
const g = scaleGraph(kind, n); // build + grad
const t1 = now();
let kernels = 0;
if (mode === 'inproc') {
  const exe = await compile(g, { target: 'ts' });
  exe.dispose();
} else {
  const out = mkdtempSync(join(tmpdir(), 'gradc-w4-'));
  try {
    const res = await compileToFiles(g, { target: 'ts', out });
    kernels = res.program.stats.kernels;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
const t2 = now();
const result = {
  kind,
  n,
  mode,
  nodes: g.nodes.length,
  buildGradMs: t1 - t0,
  compileMs: t2 - t1,
  kernels,
  /** CPU time of the whole child (user + system): steadier than wall time on a shared machine. */
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
