// G1 in jax-js (the device already selected by jaxPeer's setup): the same GPT, init and batches as
// gradc's g1TrainGraph, one jit-compiled step (valueAndGrad + AdamW). jax-js arrays are
// reference-counted and every call consumes its arguments: `.ref` marks each extra use.
import { jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import type { G1Data, G1Run, G1TrainResult } from './g1-model.ts';
import { blockParam, stepClock } from './g1-model.ts';

// `type` (not interface) so it is a JsTree for grad/jit.
type P = { [name: string]: np.Array };

interface Shapes {
  readonly b: number;
  readonly t: number;
  readonly d: number;
  readonly h: number;
  readonly vocab: number;
  readonly layers: number;
}

function layerNorm(x: np.Array, p: P, name: string): np.Array {
  const mu = np.mean(x.ref, -1, { keepdims: true });
  const xc = x.sub(mu);
  const v = np.mean(np.square(xc.ref), -1, { keepdims: true });
  return xc
    .div(np.sqrt(v.add(1e-5)))
    .mul(p[`${name}.gamma`]!)
    .add(p[`${name}.beta`]!);
}

const dense = (x: np.Array, p: P, name: string): np.Array =>
  np.matmul(x, p[`${name}.W`]!).add(p[`${name}.b`]!);

/** ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as gradc's nn.gelu. */
function gelu(x: np.Array): np.Array {
  const cube = x.ref.mul(x.ref).mul(x.ref);
  const inner = x.ref.add(cube.mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(np.tanh(inner).add(1));
}

/** Causal attention of rows x [B·T, D]; `bias` [T, T] is 0 where a query may look, else −1e9. */
function attention(x: np.Array, p: P, name: string, s: Shapes, bias: np.Array): np.Array {
  const split = (y: np.Array) =>
    np.transpose(np.reshape(y, [s.b, s.t, s.h, s.d / s.h]), [0, 2, 1, 3]);
  const q = split(dense(x.ref, p, `${name}.q`));
  const k = split(dense(x.ref, p, `${name}.k`));
  const v = split(dense(x, p, `${name}.v`));
  const scores = np
    .matmul(q, np.transpose(k, [0, 1, 3, 2]))
    .mul(1 / Math.sqrt(s.d / s.h))
    .add(bias);
  const o = np.matmul(nn.softmax(scores, -1), v);
  return dense(np.reshape(np.transpose(o, [0, 2, 1, 3]), [s.b * s.t, s.d]), p, `${name}.o`);
}

/** Mean next-token cross-entropy of ids x [B·T] against y [B·T] (consumes p). */
function loss(p: P, x: np.Array, y: np.Array, bias: np.Array, s: Shapes): np.Array {
  const wte = p['wte.E']!;
  const pos = np.tile(p['wpe.E']!, [s.b, 1]); // G1 trains on whole contexts: every row is used
  let h = np.take(wte.ref, x, 0).add(pos);
  for (let i = 0; i < s.layers; i++) {
    const a = attention(
      layerNorm(h.ref, p, blockParam(i, 'ln1')),
      p,
      blockParam(i, 'attn'),
      s,
      bias.ref,
    );
    h = h.add(a);
    const u = gelu(dense(layerNorm(h.ref, p, blockParam(i, 'ln2')), p, blockParam(i, 'mlp.fc')));
    h = h.add(dense(u, p, blockParam(i, 'mlp.proj')));
  }
  bias.dispose();
  const logits = np.matmul(layerNorm(h, p, 'ln_f'), np.transpose(wte));
  const logp = nn.logSoftmax(logits, -1);
  return np.sum(logp.mul(nn.oneHot(y, s.vocab))).mul(-1 / (s.b * s.t));
}

/** Train G1 for warmup + steps steps on jax-js's default device. */
export async function jaxG1(data: G1Data, run: G1Run): Promise<G1TrainResult> {
  const m = data.model;
  const s: Shapes = {
    ...{ b: m.batch, t: m.context, d: m.dModel, h: m.heads },
    ...{ vocab: data.vocab, layers: m.layers },
  };
  const shapeOf = (name: string, n: number) =>
    name === 'wte.E'
      ? [s.vocab, s.d]
      : name === 'wpe.E'
        ? [n / s.d, s.d]
        : name.endsWith('.W')
          ? [n / (name.includes('mlp.fc') ? 4 * s.d : s.d), name.includes('mlp.fc') ? 4 * s.d : s.d]
          : [n];
  const names = Object.keys(data.init);
  let p: P = {};
  for (const name of names) {
    const init = data.init[name]!;
    p[name] = np.array(init.slice(), { shape: shapeOf(name, init.length) });
  }
  const zeros = (): P => Object.fromEntries(names.map((n) => [n, np.zeros(p[n]!.shape)]));
  let state = { m: zeros(), v: zeros() };
  const { beta1: b1, beta2: b2, eps, lr, weightDecay: wd } = m;
  // Sizes are closed over: every argument of a traced function becomes a tracer.
  const lossOf = (p: P, x: np.Array, y: np.Array, bias: np.Array) => loss(p, x, y, bias, s);
  // bc1 = 1−β1^t, bc2 = 1−β2^t come in as scalars so one compiled step serves every t.
  const step = jit(
    (
      p: P,
      st: { m: P; v: P },
      x: np.Array,
      y: np.Array,
      bias: np.Array,
      bc1: np.Array,
      bc2: np.Array,
    ) => {
      const [l, g] = valueAndGrad(lossOf)(tree.ref(p), x, y, bias);
      const next: P = {};
      const mo: P = {};
      const ve: P = {};
      for (const name of names) {
        const gi = g[name]!;
        const m1 = st.m[name]!.mul(b1).add(gi.ref.mul(1 - b1));
        const v1 = st.v[name]!.mul(b2).add(gi.ref.mul(gi).mul(1 - b2));
        let dir = m1.ref.div(bc1.ref).div(np.sqrt(v1.ref.div(bc2.ref)).add(eps));
        const w = p[name]!;
        if (name.endsWith('.W')) dir = dir.add(w.ref.mul(wd)); // gradc's decay group
        next[name] = w.sub(dir.mul(lr));
        mo[name] = m1;
        ve[name] = v1;
      }
      bc1.dispose();
      bc2.dispose();
      return { loss: l, p: next, s: { m: mo, v: ve } };
    },
  );
  const r = np.arange(s.t);
  const allowed = np.reshape(r.ref, [1, s.t]).lessEqual(np.reshape(r, [s.t, 1]));
  const bias = np.where(allowed, 0, -1e9);
  const clock = stepClock(m, run);
  for (let t = 0; t < run.warmup + run.steps; t++) {
    const batch = data.batches[t % data.batches.length]!;
    const x = np.array(batch.x.slice(), { shape: [s.b * s.t] });
    const y = np.array(batch.y.slice(), { shape: [s.b * s.t] });
    const bc = (beta: number) => np.array(1 - beta ** (t + 1));
    await clock.step(t, async () => {
      const out = step(p, state, x, y, bias.ref, bc(b1), bc(b2));
      p = out.p;
      state = out.s;
      return (await out.loss.data())[0]!;
    });
  }
  step.dispose();
  tree.dispose([p, state, bias]);
  return clock.result(`jit step: valueAndGrad + AdamW`);
}
