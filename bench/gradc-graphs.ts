// The gradc graphs of the workloads, built directly with the builder + grad + g.update (no nn/):
// W1 seed-MLP SGD step, W2 wide-MLP Adam step, W3 matmul, W4 synthetic chains of n nodes.
import { grad } from '../src/autodiff/grad.ts';
import { mean, softmaxCrossEntropy } from '../src/builder/composite.ts';
import * as B from '../src/builder/ops.ts';
import { Graph } from '../src/ir/graph.ts';
import * as init from '../src/ir/init.ts';
import type { Node } from '../src/ir/node.ts';
import type { MlpParams } from './data.ts';
import type { W1Config, W2Config } from './peers/types.ts';

/** Param names of layer l, matching MlpParams.w[l] ([in, out] row-major) and b[l]. */
export const wName = (l: number): string => `w${l}`;
export const bName = (l: number): string => `b${l}`;

interface Mlp {
  g: Graph;
  x: Node;
  y: Node;
  params: Node[];
  out: Node;
}

/** x·W+b per layer with `act` after hidden layers (and after the last one too if `last`). */
function mlp(name: string, sizes: number[], batch: number, act: 'sigmoid' | 'relu', last: boolean) {
  const g = new Graph(name);
  const x = g.input('x', [batch, sizes[0]!]);
  const y = g.input('y', [batch, sizes[sizes.length - 1]!]);
  const params: Node[] = [];
  let a = x;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = g.param(wName(l), [sizes[l]!, sizes[l + 1]!], init.normal(1));
    const b = g.param(bName(l), [sizes[l + 1]!], init.zeros);
    params.push(w, b);
    const z = a.matmul(w).add(b);
    a = l + 2 < sizes.length || last ? (act === 'sigmoid' ? z.sigmoid() : z.relu()) : z;
  }
  return { g, x, y, params, out: a } satisfies Mlp;
}

/** W1: C = ½Σ‖a−y‖²/m and w ← w − η·∂C/∂w, i.e. network.py's w − (η/m)Σ∇. No outputs. */
export function w1Graph(sizes: number[], cfg: W1Config): Graph {
  const { g, y, params, out } = mlp('w1_seed_mlp', sizes, cfg.batch, 'sigmoid', true);
  const d = out.sub(y);
  const cost = d
    .mul(d)
    .sum()
    .mul(0.5 / cfg.batch);
  const grads = grad(cost, params);
  params.forEach((p, i) => g.update(p.label!, p.sub(grads[i]!.mul(cfg.eta))));
  return g;
}

/**
 * W2: mean softmax cross-entropy, Adam with bias correction as in tfjs (m̂ / (√v̂ + ε)). Moments are
 * non-trainable params m_<p>, v_<p>; the step count t is a non-trainable scalar param.
 */
export function w2Graph(sizes: number[], cfg: W2Config): Graph {
  const { g, y, params, out } = mlp('w2_wide_mlp', sizes, cfg.batch, 'relu', false);
  const loss = mean(softmaxCrossEntropy(out, y));
  g.output('loss', loss);
  const grads = grad(loss, params);
  const t = g.param('t', [], init.zeros, false);
  const t1 = t.add(1);
  g.update('t', t1);
  const bc1 = B.sub(1, B.pow(cfg.beta1, t1));
  const bc2 = B.sub(1, B.pow(cfg.beta2, t1));
  params.forEach((p, i) => {
    const name = p.label!;
    const gp = grads[i]!;
    const m = g.param(`m_${name}`, p.shape, init.zeros, false);
    const v = g.param(`v_${name}`, p.shape, init.zeros, false);
    const m1 = m.mul(cfg.beta1).add(gp.mul(1 - cfg.beta1));
    const v1 = v.mul(cfg.beta2).add(gp.mul(gp).mul(1 - cfg.beta2));
    const stepDir = m1.div(bc1).div(v1.div(bc2).sqrt().add(cfg.eps));
    g.update(`m_${name}`, m1);
    g.update(`v_${name}`, v1);
    g.update(name, p.sub(stepDir.mul(cfg.lr)));
  });
  return g;
}

/** W3: c = a·b for n×n inputs a, b. */
export function w3Graph(n: number): Graph {
  const g = new Graph('w3_matmul');
  g.output('c', g.input('a', [n, n]).matmul(g.input('b', [n, n])));
  return g;
}

/**
 * W4: a residual ladder h ← h + tanh(h·W_k + b_k)·½ (k cycling over 4 params) over a 16×16 input,
 * grown until the graph holds at least `nodes` nodes. Returns the graph; g.nodes.length is exact.
 */
export function ladderGraph(nodes: number): Graph {
  const g = new Graph(`ladder_${nodes}`);
  const dim = 16;
  let h = g.input('x', [dim, dim]);
  const ws = [0, 1, 2, 3].map((k) => g.param(`W${k}`, [dim, dim], init.normal(0.1)));
  const bs = [0, 1, 2, 3].map((k) => g.param(`c${k}`, [dim], init.zeros));
  for (let i = 0; g.nodes.length < nodes; i++) {
    h = h.add(
      h
        .matmul(ws[i % 4]!)
        .add(bs[i % 4]!)
        .tanh()
        .mul(0.5),
    );
  }
  g.output('h', h);
  return g;
}

/** Param feeds for setParams from MlpParams (names w<l>, b<l>). */
export function mlpFeeds(p: MlpParams): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  p.w.forEach((w, l) => (feeds[wName(l)] = w));
  p.b.forEach((b, l) => (feeds[bName(l)] = b));
  return feeds;
}

/** MlpParams read back from an executable's params (copies). */
export function mlpFrom(
  params: Readonly<Record<string, Float32Array>>,
  sizes: number[],
): MlpParams {
  const layers = sizes.length - 1;
  const w = Array.from({ length: layers }, (_, l) => params[wName(l)]!.slice());
  const b = Array.from({ length: layers }, (_, l) => params[bName(l)]!.slice());
  return { sizes: [...sizes], w, b };
}
