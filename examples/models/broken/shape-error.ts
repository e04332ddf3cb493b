// Broken on purpose (CLI tests): a matmul of [4,3] by [4,2] — the error names this file's line.
import { Graph, init } from '../../../src/index.ts';

export default function model(): Graph {
  const g = new Graph('shape_error');
  const x = g.input('x', [4, 3]);
  const w = g.param('w', [4, 2], init.normal(0.1));
  g.output('y', x.matmul(w));
  return g;
}
