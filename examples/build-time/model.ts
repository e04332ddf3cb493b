// A spam scorer compiled at build time: p = σ(x·w + b) over 3 messages × 2 features.
// `npm run build` here runs `gradc compile` first (the prebuild script); main.ts imports the result.
import { Graph, init } from '../../src/index.ts';

const g = new Graph('spam_score');
const x = g.input('x', [3, 2]);
const w = g.param('w', [2, 1], init.values([1.5, -2]));
const b = g.param('b', [1], init.values([0.25]));
g.output('p', x.matmul(w).add(b).sigmoid());

export default g;
