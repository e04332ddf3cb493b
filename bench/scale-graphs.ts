// W4 at scale: the graph shapes that used to exhaust memory, each with its gradient. `chain`: n
// alternating mul/sin ops; `branches`: n parallel branches joined by a sum; `mixed`: blocks of
// matmuls, reductions, broadcasts and elementwise ops until the forward graph holds n nodes.
import { grad } from '../src/autodiff/grad.ts';
import { Graph } from '../src/ir/graph.ts';
import * as init from '../src/ir/init.ts';
import type { Node } from '../src/ir/node.ts';

export const SCALE_CASES = ['chain', 'branches', 'mixed'] as const;
export type ScaleCase = (typeof SCALE_CASES)[number];

/** The forward graph of a case with a scalar `loss` output (no gradient yet). */
export function scaleForward(kind: ScaleCase, n: number): { g: Graph; loss: Node; wrt: Node[] } {
  const g = new Graph(`${kind}_${n}`);
  switch (kind) {
    case 'chain': {
      const x = g.input('x', [8, 16]);
      const w = g.param('w', [16], init.normal(0.5));
      let h = x;
      for (let i = 0; i < n; i++) h = i % 2 === 0 ? h.mul(w) : h.sin();
      return { g, loss: h.sum().named('loss'), wrt: [w, x] };
    }
    case 'branches': {
      const x = g.input('x', [8, 16]);
      const w = g.param('w', [16], init.normal(0.5));
      let total: Node | null = null;
      for (let i = 0; i < n; i++) {
        const b = x
          .mul(w)
          .add((i + 1) / n)
          .tanh();
        total = total ? total.add(b) : b;
      }
      return { g, loss: total!.sum().named('loss'), wrt: [w, x] };
    }
    case 'mixed': {
      const dim = 16;
      const x = g.input('x', [8, dim]);
      const ws = [0, 1, 2, 3].map((k) => g.param(`W${k}`, [dim, dim], init.normal(0.2)));
      const bs = [0, 1, 2, 3].map((k) => g.param(`b${k}`, [dim], init.zeros));
      let h = x;
      for (let i = 0; g.nodes.length < n; i++) {
        const z = h.matmul(ws[i % 4]!).add(bs[i % 4]!); // matmul, broadcast bias
        const a = z.tanh().mul(z.sigmoid()); // elementwise
        const centered = a.sub(a.mean(-1, true)); // reduction, broadcast back
        h = h.add(centered.mul(0.5));
      }
      return { g, loss: h.square().sum().named('loss'), wrt: [...ws, ...bs] };
    }
  }
}

/** A case with its loss and the gradients of the loss as outputs (`grad_<i>`). */
export function scaleGraph(kind: ScaleCase, n: number): Graph {
  const { g, loss, wrt } = scaleForward(kind, n);
  g.output('loss', loss);
  grad(loss, wrt).forEach((d, i) => g.output(`grad_${i}`, d));
  return g;
}
