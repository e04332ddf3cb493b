// Hand-written training graphs shared by the codegen and schedule tests: the seed 784-30-10
// sigmoid MLP (quadratic cost, SGD) and a 2-layer ReLU / softmax-cross-entropy / Adam step.
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';

export interface MlpSizes {
  readonly batch: number;
  readonly sizes: readonly number[];
}

/** The seed tutorial's network: sigmoid layers, C = ½‖a − y‖² averaged over the batch, SGD. */
export function seedMlpStep({ batch, sizes }: MlpSizes = { batch: 10, sizes: [784, 30, 10] }) {
  const g = new Graph('seed_mlp_step');
  const x = g.input('x', [batch, sizes[0]!]);
  const y = g.input('y', [batch, sizes[sizes.length - 1]!]);
  const lr = 3.0;
  const params: Node[] = [];
  let a = x;
  for (let l = 1; l < sizes.length; l++) {
    const w = g.param(
      `W${l}`,
      [sizes[l - 1]!, sizes[l]!],
      init.normal(1 / Math.sqrt(sizes[l - 1]!)),
    );
    const b = g.param(`b${l}`, [sizes[l]!], init.normal(1));
    params.push(w, b);
    a = B.sigmoid(B.add(B.matmul(a, w), b)).named(`a${l}`);
  }
  const d = B.sub(a, y);
  const loss = g.output('loss', B.div(B.mul(B.sum(B.mul(d, d)), 0.5), batch));
  const grads = grad(loss, params);
  params.forEach((p, i) => g.update(p.label!, B.sub(p, B.mul(grads[i]!, lr))));
  return { g, loss, params };
}

/** 2-layer ReLU net, mean softmax cross-entropy against one-hot labels, Adam written inline. */
export function reluAdamStep(batch = 8, sizes: readonly [number, number, number] = [16, 12, 5]) {
  const g = new Graph('relu_adam_step');
  const x = g.input('x', [batch, sizes[0]]);
  const labels = g.input('labels', [batch], 'i32');
  const t = g.input('t', []); // the step number (1, 2, …) for bias correction
  const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-8];
  const w1 = g.param('W1', [sizes[0], sizes[1]], init.normal(0.3));
  const c1 = g.param('b1', [sizes[1]], init.zeros);
  const w2 = g.param('W2', [sizes[1], sizes[2]], init.normal(0.3));
  const c2 = g.param('b2', [sizes[2]], init.zeros);
  const params = [w1, c1, w2, c2];
  const h = B.relu(B.add(B.matmul(x, w1), c1)).named('h');
  const logits = B.add(B.matmul(h, w2), c2).named('logits');
  const ce = C.softmaxCrossEntropy(logits, C.oneHot(labels, sizes[2]));
  const loss = g.output('loss', C.mean(ce));
  const grads = grad(loss, params);
  const corr1 = B.sub(1, B.pow(B.constant(g, b1), t));
  const corr2 = B.sub(1, B.pow(B.constant(g, b2), t));
  params.forEach((p, i) => {
    const name = p.label!;
    const m = g.param(`${name}_m`, p.shape, init.zeros, false);
    const v = g.param(`${name}_v`, p.shape, init.zeros, false);
    const gr = grads[i]!;
    const m1 = B.add(B.mul(m, b1), B.mul(gr, 1 - b1));
    const v1 = B.add(B.mul(v, b2), B.mul(B.mul(gr, gr), 1 - b2));
    const mhat = B.div(m1, corr1);
    const vhat = B.div(v1, corr2);
    g.update(`${name}_m`, m1);
    g.update(`${name}_v`, v1);
    g.update(name, B.sub(p, B.div(B.mul(mhat, lr), B.add(B.sqrt(vhat), eps))));
  });
  return { g, loss, params };
}
