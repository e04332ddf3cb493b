// G1 in TensorFlow.js (the backend already selected by tfjsPeer's setup): the same GPT, init and
// batches as gradc's g1TrainGraph; tf.variableGrads for the gradients and AdamW written with tf
// ops (tfjs has no AdamW). Embeddings gather rows where the backend has gather's gradient kernel
// (UnsortedSegmentSum: cpu), else multiply by one-hot rows (wasm lacks that kernel).
import * as tf from '@tensorflow/tfjs-core';
import type { G1Data, G1Run, G1TrainResult } from './g1-model.ts';
import { blockParam, stepClock } from './g1-model.ts';

type Vars = Record<string, tf.Variable>;

function layerNorm(x: tf.Tensor2D, v: Vars, name: string): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(xhat, v[`${name}.gamma`]!), v[`${name}.beta`]!);
}

const dense = (x: tf.Tensor2D, v: Vars, name: string): tf.Tensor2D =>
  tf.add(tf.matMul(x, v[`${name}.W`]!), v[`${name}.b`]!);

/** ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as gradc's nn.gelu. */
function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

interface Shapes {
  readonly b: number;
  readonly t: number;
  readonly d: number;
  readonly h: number;
  readonly vocab: number;
  readonly layers: number;
}

/** Causal attention of rows x [B·T, D]: heads split, scores masked by an additive bias. */
function attention(x: tf.Tensor2D, v: Vars, name: string, s: Shapes, bias: tf.Tensor2D) {
  const split = (y: tf.Tensor2D) =>
    tf.transpose(tf.reshape(y, [s.b, s.t, s.h, s.d / s.h]), [0, 2, 1, 3]);
  const q = split(dense(x, v, `${name}.q`));
  const k = split(dense(x, v, `${name}.k`));
  const val = split(dense(x, v, `${name}.v`));
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(s.d / s.h)), bias);
  const o = tf.matMul(tf.softmax(scores), val);
  const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [s.b * s.t, s.d]) as tf.Tensor2D;
  return dense(merged, v, `${name}.o`);
}

function loss(
  v: Vars,
  x: tf.Tensor2D,
  y: tf.Tensor,
  s: Shapes,
  bias: tf.Tensor2D,
  gather: boolean,
) {
  const wte = v['wte.E']!;
  const flat = tf.reshape(x, [s.b * s.t]) as tf.Tensor1D;
  const tok = gather ? tf.gather(wte, flat) : tf.matMul(tf.oneHot(flat, s.vocab), wte);
  const pos = tf.tile(tf.slice(v['wpe.E']!, [0, 0], [s.t, s.d]), [s.b, 1]);
  let h = tf.add(tok, pos) as tf.Tensor2D;
  for (let i = 0; i < s.layers; i++) {
    h = tf.add(
      h,
      attention(layerNorm(h, v, blockParam(i, 'ln1')), v, blockParam(i, 'attn'), s, bias),
    );
    const u = gelu(dense(layerNorm(h, v, blockParam(i, 'ln2')), v, blockParam(i, 'mlp.fc')));
    h = tf.add(h, dense(u, v, blockParam(i, 'mlp.proj')));
  }
  const logits = tf.matMul(layerNorm(h, v, 'ln_f'), wte, false, true);
  const onehot = tf.oneHot(tf.reshape(y, [s.b * s.t]) as tf.Tensor1D, s.vocab);
  return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar; // mean over positions
}

/** Train G1 for warmup + steps steps; the backend is whatever tf.getBackend() is now. */
export async function tfjsG1(data: G1Data, run: G1Run): Promise<G1TrainResult> {
  const m = data.model;
  const s: Shapes = {
    ...{ b: m.batch, t: m.context, d: m.dModel, h: m.heads },
    ...{ vocab: data.vocab, layers: m.layers },
  };
  const gather = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
  const v: Vars = {};
  const mom: Record<string, [tf.Variable, tf.Variable]> = {};
  for (const [name, init] of Object.entries(data.init)) {
    const shape =
      name.endsWith('.E') || name.endsWith('.W') ? shapeOf(name, init, s) : [init.length];
    v[name] = tf.variable(tf.tensor(init, shape), true, `g1/${name}`);
    mom[name] = [
      tf.variable(tf.zerosLike(v[name]!), false),
      tf.variable(tf.zerosLike(v[name]!), false),
    ];
  }
  const bias = tf.tidy(() => {
    const r = tf.range(0, s.t, 1, 'int32');
    const allowed = tf.lessEqual(tf.reshape(r, [1, s.t]), tf.reshape(r, [s.t, 1]));
    return tf.where(allowed, tf.zeros([s.t, s.t]), tf.fill([s.t, s.t], -1e9)) as tf.Tensor2D;
  });
  const clock = stepClock(m, run);
  for (let step = 0; step < run.warmup + run.steps; step++) {
    const batch = data.batches[step % data.batches.length]!;
    const t = step + 1;
    await clock.step(step, async () => {
      const value = tf.tidy(() => {
        const x = tf.tensor2d(batch.x, [s.b, s.t], 'int32');
        const y = tf.tensor2d(batch.y, [s.b, s.t], 'int32');
        const { value, grads } = tf.variableGrads(() => loss(v, x, y, s, bias, gather));
        const [c1, c2] = [1 - m.beta1 ** t, 1 - m.beta2 ** t];
        for (const [name, w] of Object.entries(v)) {
          const g = grads[w.name]!;
          const [mv, vv] = mom[name]!;
          const m1 = tf.add(tf.mul(mv, m.beta1), tf.mul(g, 1 - m.beta1));
          const v1 = tf.add(tf.mul(vv, m.beta2), tf.mul(tf.square(g), 1 - m.beta2));
          let dir = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), m.eps));
          if (name.endsWith('.W')) dir = tf.add(dir, tf.mul(w, m.weightDecay)); // gradc's group
          mv.assign(m1);
          vv.assign(v1);
          w.assign(tf.sub(w, tf.mul(dir, m.lr)));
        }
        return value;
      });
      const out = (await value.data())[0]!;
      value.dispose();
      return out;
    });
  }
  for (const x of [...Object.values(v), ...Object.values(mom).flat(), bias]) x.dispose();
  return clock.result(
    gather ? 'embeddings by gather' : 'embeddings by one-hot matmul (wasm has no gather gradient)',
  );
}

function shapeOf(name: string, init: Float32Array, s: Shapes): number[] {
  if (name === 'wte.E') return [s.vocab, s.d];
  if (name === 'wpe.E') return [init.length / s.d, s.d];
  const out = name.includes('mlp.fc') ? 4 * s.d : s.d;
  return [init.length / out, out];
}
