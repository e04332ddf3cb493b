// Child process for W4's generated-graph compiles: `tsx bench/compile-child.ts <nodes> <target>`
// warms the compiler on a small ladder, then prints {"nodes","ms"} for one compile() of the ladder.
import { compile } from '../src/compile.ts';
import { ladderGraph } from './gradc-graphs.ts';
import type { GradcTarget } from './gradc.ts';
import { now } from './peers/stats.ts';

const nodes = Number(process.argv[2]);
const target = (process.argv[3] ?? 'ts') as GradcTarget;
(await compile(ladderGraph(50), { target })).dispose();
const g = ladderGraph(nodes);
const t0 = now();
const exe = await compile(g, { target });
const ms = now() - t0;
exe.dispose();
process.stdout.write(JSON.stringify({ nodes: g.nodes.length, ms, served: exe.target }) + '\n');
process.exit(0);
