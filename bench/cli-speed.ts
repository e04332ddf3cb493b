// `npx tsx bench/cli-speed.ts [reps]`: the installed gradc bin's speed (issue #14's targets:
// `gradc --help` ≤ 150 ms, `gradc compile` of the seed MLP ≤ 1.5 s wall, progress within 0.5 s).
// A model's first compile type-checks it (each run edits the model, so its check is a miss);
// a cached compile finds the check done. The very first run of all also writes TypeScript's code
// cache (src/cli/tsload.ts).
// Runs in a scratch project with the packed tarball installed (test/package/scratch.ts), as a
// user would; reports wall and CPU time per run (the CPU time is what a loaded machine keeps
// honest) and, on a pseudo-terminal, the time to the first line gradc prints.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchProject } from '../test/package/scratch.ts';

const reps = Number(process.argv[2] ?? 5);
const p = scratchProject();
const model = readFileSync(join(ROOT, 'examples/seed-mlp/model.ts'), 'utf8')
  .replace("'../../src/node/index.ts'", "'gradc/node'")
  .replace("'../../src/index.ts'", "'gradc'")
  .replace("'../../src/cli/contract.ts'", "'gradc/cli'");
/** A new model text: its type check is not cached. */
const edit = (i: number) => p.write('model.ts', `${model}// edit ${i}\n`);
edit(0);
const BIN = 'node_modules/gradc/bin/gradc.js';

/** Wall and CPU (user + system, all threads) seconds of one run, from GNU time. */
function timed(args: string[]): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'T %e %U %S', process.execPath, BIN, ...args], {
    cwd: p.dir,
    encoding: 'utf8',
  });
  const m = /T ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`gradc ${args.join(' ')} failed: ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

/** Seconds from start to the first byte gradc writes on a terminal (util-linux `script`). */
function firstOutput(args: string[]): Promise<number> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: p.dir });
    let first = 0;
    child.stdout.on('data', () => {
      first ||= performance.now() - t0;
    });
    child.on('error', fail);
    child.on('close', () => done(first / 1000));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (name: string, runs: { wall: number; cpu: number }[]) =>
  `| ${name} | ${median(runs.map((r) => r.wall)).toFixed(2)} | ${Math.min(...runs.map((r) => r.wall)).toFixed(2)} | ${median(runs.map((r) => r.cpu)).toFixed(2)} |`;

console.log(
  `load before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${reps} runs each`,
);
const veryFirst = [timed(['compile', 'model.ts', '--out', 'gen'])];
const help: { wall: number; cpu: number }[] = [];
const firstCompile: { wall: number; cpu: number }[] = [];
const compile: { wall: number; cpu: number }[] = [];
const unchecked: { wall: number; cpu: number }[] = [];
const first: number[] = [];
for (let i = 0; i < reps; i++) {
  help.push(timed(['--help']));
  edit(i + 1);
  firstCompile.push(timed(['compile', 'model.ts', '--out', 'gen']));
  compile.push(timed(['compile', 'model.ts', '--out', 'gen']));
  unchecked.push(timed(['compile', 'model.ts', '--out', 'gen', '--no-typecheck']));
  first.push(await firstOutput(['compile', 'model.ts', '--out', 'gen']));
}
console.log('| command | wall median s | wall min s | CPU median s |');
console.log('| --- | --- | --- | --- |');
console.log(row('gradc --help', help));
console.log(row('gradc compile seed-mlp, very first run (no code cache)', veryFirst));
console.log(row("gradc compile seed-mlp, the model's first compile", firstCompile));
console.log(row('gradc compile seed-mlp (type-check cached)', compile));
// The compile path alone: a first compile's CPU less this is what its type check costs.
console.log(row('gradc compile seed-mlp --no-typecheck', unchecked));
console.log(
  `first output of compile on a terminal: median ${median(first).toFixed(2)} s, min ${Math.min(...first).toFixed(2)} s`,
);
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
