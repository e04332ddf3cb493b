// Run by scale.test.ts under a tiny stack: build an N-op chain (argv[2], default 30,000), take its
// gradient, compile it for the TS target (unformatted: prettier is not part of this check) and
// run it. Prints JSON.
import { grad } from '../../src/autodiff/grad.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';

const N = Number(process.argv[2] ?? 30_000);
const g = new Graph('deep');
const x = g.input('x', [2]);
// add 2, neg, sub 1, neg: v → v + 3 every four steps, so y = x + 3N/4 and dy/dx = 1.
const steps: ((v: Node) => Node)[] = [(v) => v.add(2), (v) => v.neg(), (v) => v.sub(1)];
let y = x;
for (let i = 0; i < N; i++) y = steps[i % 4 === 3 ? 1 : i % 4]!(y);
g.output('y', y);
const [dx] = grad(y.sum(), [x]);
g.output('dx', dx!);
const exe = await compile(g, { target: 'ts' });
const out = await exe.run({ x: [0.5, -3] });
const result = { nodes: g.nodes.length, y: Array.from(out['y']!), dx: Array.from(out['dx']!) };
process.stdout.write(JSON.stringify(result) + '\n');
