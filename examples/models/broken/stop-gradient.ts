// Broken on purpose (CLI tests): stopGradient hides one path from autodiff, so the symbolic
// gradient of loss = Σ sg(w)·w is w while finite differences see 2w — `gradc check` fails.
import { Graph, init, stopGradient, sum } from '../../../src/index.ts';

const g = new Graph('stop_gradient');
const w = g.param('w', [3], init.values([0.5, -1, 2]));
g.output('loss', sum(stopGradient(w).mul(w)));

export default g;
