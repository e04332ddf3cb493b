// A graph exported directly (not a function): tanh features and a mean-squared-error loss.
// Shows the simplest model file; `gradc check` differentiates its scalar `loss` output.
import { Graph, init, mean, tanh } from '../../src/index.ts';

const g = new Graph('regression');
const x = g.input('x', [8, 3]);
const y = g.input('y', [8, 1]);
const w = g.param('w', [3, 1], init.normal(0.5));
const b = g.param('b', [1], init.zeros);
const pred = g.output('pred', tanh(x.matmul(w).add(b)));
const err = pred.sub(y);
g.output('loss', mean(err.mul(err)).named('loss'));

export default g;
