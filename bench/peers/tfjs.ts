// TensorFlow.js peers (tfjs-core 4.x on the cpu, wasm or webgpu backend). Training steps use
// optimizer.minimize (tf.variableGrads under the hood); backends are loaded lazily in setup().
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CLASSES, PIXELS, checkMatmul, mlpAccuracy } from '../data.ts';
import type { MlpParams } from '../data.ts';
import { SYNC_EVERY, epochRate, now, timeSteps, w2BatchStart } from './stats.ts';
import type { Peer, W1Result, W2Result, W3Result } from './types.ts';
import { adapterDescription, ensureWebGPU } from './webgpu.ts';

export type TfjsBackend = 'cpu' | 'wasm' | 'webgpu';

interface Mlp {
  w: tf.Variable[];
  b: tf.Variable[];
  all: tf.Variable[];
}

function toVariables(p: MlpParams): Mlp {
  // tidy frees the initial-value tensors; variables survive it.
  return tf.tidy(() => {
    const w = p.w.map((a, l) => tf.variable(tf.tensor2d(a, [p.sizes[l]!, p.sizes[l + 1]!])));
    const b = p.b.map((a) => tf.variable(tf.tensor1d(a)));
    return { w, b, all: [...w, ...b] };
  });
}

async function fromVariables(m: Mlp, sizes: number[]): Promise<MlpParams> {
  const read = (vs: tf.Variable[]) =>
    Promise.all(vs.map(async (v) => new Float32Array(await v.data())));
  return { sizes: [...sizes], w: await read(m.w), b: await read(m.b) };
}

function disposeMlp(m: Mlp): void {
  for (const v of m.all) v.dispose();
}

/** Affine layers with `act` after every hidden layer; the last layer's activation is `last`. */
function forward(m: Mlp, x: tf.Tensor2D, act: (t: tf.Tensor2D) => tf.Tensor2D, last: boolean) {
  let a = x;
  for (let l = 0; l < m.w.length; l++) {
    const z = tf.add(tf.matMul(a, m.w[l]!), m.b[l]!) as tf.Tensor2D;
    a = l + 1 < m.w.length || last ? act(z) : z;
  }
  return a;
}

/**
 * tfjs-core's Node bundle ships no gradient definitions (the @tensorflow/tfjs umbrella adds them).
 * They exist only in its ESM file tree, whose extensionless imports only CommonJS resolution
 * (under tsx) follows; it registers into the globalThis-held registry the bundle reads.
 */
function registerGradients(): void {
  createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients.js');
}

async function loadBackend(backend: TfjsBackend): Promise<string | undefined> {
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dirname(pkg) + '/'); // main is dist/tf-backend-wasm.node.js, .wasm beside it
  } else {
    const reason = await ensureWebGPU(); // must precede the import: it registers only if navigator.gpu
    if (reason) return reason;
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  return (await tf.setBackend(backend))
    ? undefined
    : `unavailable: tf.setBackend('${backend}') failed`;
}

async function describe(backend: TfjsBackend): Promise<string> {
  if (backend === 'cpu') return 'pure JS, 1 thread';
  if (backend === 'webgpu') return `adapter: ${await adapterDescription()}`;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `simd=${simd} multithread=${mt} threads=${wasm.getThreadsCount()}`;
}

export function tfjsPeer(backend: TfjsBackend): Peer {
  let notes = '';
  return {
    name: `tfjs-${backend}`,
    version: tf.version_core,
    notes: () => notes,

    async setup() {
      try {
        registerGradients();
        const reason = await loadBackend(backend);
        if (reason) return reason;
        await tf.ready();
        notes = await describe(backend);
        return undefined;
      } catch (e) {
        return `unavailable: ${e instanceof Error ? e.message : String(e)}`;
      }
    },

    async w1(data, init, cfg): Promise<W1Result> {
      const m = toVariables(init);
      const opt = tf.train.sgd(cfg.eta);
      const epochSeconds: number[] = [];
      for (let e = 0; e < cfg.epochs; e++) {
        const t0 = now();
        for (let s = 0; s < cfg.trainCount; s += cfg.batch) {
          const n = Math.min(cfg.batch, cfg.trainCount - s);
          tf.tidy(() => {
            const x = tf.tensor2d(data.train.x.subarray(s * PIXELS, (s + n) * PIXELS), [n, PIXELS]);
            const y = tf.tensor2d(data.train.y.subarray(s * CLASSES, (s + n) * CLASSES), [
              n,
              CLASSES,
            ]);
            // C = ½‖a−y‖² averaged over the batch: grad is (1/m)·Σ∇, so SGD(η) is network.py's update.
            const loss = () =>
              tf.mul(tf.sum(tf.square(tf.sub(forward(m, x, tf.sigmoid, true), y))), 0.5 / n);
            opt.minimize(loss as () => tf.Scalar, false, m.all);
          });
          if ((s / cfg.batch) % SYNC_EVERY === SYNC_EVERY - 1) await m.b[0]!.data();
        }
        await m.b[m.b.length - 1]!.data(); // device sync before stopping the clock
        epochSeconds.push((now() - t0) / 1000);
      }
      const trained = await fromVariables(m, init.sizes);
      opt.dispose();
      disposeMlp(m);
      const accuracy = mlpAccuracy(trained, data.test, 'sigmoid');
      return { samplesPerSec: epochRate(cfg.trainCount, epochSeconds), epochSeconds, accuracy };
    },

    async w2(data, init, cfg): Promise<W2Result> {
      const m = toVariables(init);
      const opt = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, cfg.eps);
      const { ms, last } = await timeSteps(cfg.warmup, cfg.steps, async (step) => {
        const s = w2BatchStart(step, data.train.count, cfg.batch);
        const loss = tf.tidy(() => {
          const x = tf.tensor2d(data.train.x.subarray(s * PIXELS, (s + cfg.batch) * PIXELS), [
            cfg.batch,
            PIXELS,
          ]);
          const y = tf.tensor2d(data.train.y.subarray(s * CLASSES, (s + cfg.batch) * CLASSES), [
            cfg.batch,
            CLASSES,
          ]);
          const f = () =>
            tf.losses.softmaxCrossEntropy(y, forward(m, x, tf.relu, false)) as tf.Scalar;
          return opt.minimize(f, true, m.all)!;
        });
        const v = (await loss.data())[0]!;
        loss.dispose();
        return v;
      });
      opt.dispose();
      disposeMlp(m);
      return { msPerStep: ms, steps: cfg.steps, finalLoss: last };
    },

    async w3(input, cfg): Promise<W3Result> {
      const { n } = input;
      const a = tf.tensor2d(input.a, [n, n]);
      const b = tf.tensor2d(input.b, [n, n]);
      let c: ArrayLike<number> = [];
      const { ms } = await timeSteps(cfg.warmup, cfg.reps, async () => {
        const t = tf.matMul(a, b);
        c = await t.data();
        t.dispose();
        return 0;
      });
      a.dispose();
      b.dispose();
      return { ms, gflops: (2 * n ** 3) / (ms * 1e6), check: checkMatmul(input, c) };
    },

    async dispose() {
      tf.disposeVariables();
    },
  };
}
