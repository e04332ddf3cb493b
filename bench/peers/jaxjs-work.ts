// jax-js's W1–W3 (the device chosen by the caller: defaultDevice): each training step is one
// jit-compiled function built from grad/valueAndGrad. No Node API, so the browser bench
// (bench/browser/) runs the same code in a page. jax-js arrays are reference-counted: every call
// consumes its arguments.
import { grad, jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { CLASSES, PIXELS, checkMatmul, mlpAccuracy } from '../data.ts';
import type { MatmulInput, MlpParams, Mnist, Split } from '../data.ts';
import { SYNC_EVERY, epochRate, now, timeSteps, w2BatchStart } from './stats.ts';
import type { W1Config, W1Result, W2Config, W2Result, W3Config, W3Result } from './types.ts';

// `type` (not interface) so it is a JsTree for grad/jit.
type Params = { w: np.Array[]; b: np.Array[] };
type AdamState = { m: Params; v: Params };

function toArrays(p: MlpParams): Params {
  return {
    w: p.w.map((a, l) => np.array(a.slice(), { shape: [p.sizes[l]!, p.sizes[l + 1]!] })),
    b: p.b.map((a) => np.array(a.slice())),
  };
}

/** Reads the parameters back to JS, consuming them. */
async function fromArrays(p: Params, sizes: number[]): Promise<MlpParams> {
  const read = (xs: np.Array[]) =>
    Promise.all(xs.map(async (x) => new Float32Array(await x.data())));
  return { sizes: [...sizes], w: await read(p.w), b: await read(p.b) };
}

/** Consumes p. Hidden layers use `act`; the last layer applies `act` only if `last`. */
function forward(p: Params, x: np.Array, act: (z: np.Array) => np.Array, last: boolean): np.Array {
  let a = x;
  for (let l = 0; l < p.w.length; l++) {
    const z = np.matmul(a, p.w[l]!).add(p.b[l]!);
    a = l + 1 < p.w.length || last ? act(z) : z;
  }
  return a;
}

function batch(split: Split, start: number, n: number): [np.Array, np.Array] {
  const x = split.x.slice(start * PIXELS, (start + n) * PIXELS);
  const y = split.y.slice(start * CLASSES, (start + n) * CLASSES);
  return [np.array(x, { shape: [n, PIXELS] }), np.array(y, { shape: [n, CLASSES] })];
}

/** network.py cost: ½‖a−y‖² averaged over the batch, so SGD(η) on it is w ← w − (η/m)Σ∇. */
function quadraticCost(p: Params, x: np.Array, y: np.Array): np.Array {
  const m = x.shape[0]!;
  return np.sum(np.square(forward(p, x, nn.sigmoid, true).sub(y))).mul(0.5 / m);
}

function crossEntropy(p: Params, x: np.Array, y: np.Array): np.Array {
  const m = x.shape[0]!;
  const logp = nn.logSoftmax(forward(p, x, nn.relu, false), -1);
  return np.sum(logp.mul(y)).mul(-1 / m);
}

export async function jaxW1(data: Mnist, initial: MlpParams, cfg: W1Config): Promise<W1Result> {
  const step = jit((p: Params, x: np.Array, y: np.Array) => {
    const g = grad(quadraticCost)(tree.ref(p), x, y);
    return tree.map((w: np.Array, gw: np.Array) => w.sub(gw.mul(cfg.eta)), p, g);
  });
  let p = toArrays(initial);
  const epochSeconds: number[] = [];
  for (let e = 0; e < cfg.epochs; e++) {
    const t0 = now();
    for (let s = 0; s < cfg.trainCount; s += cfg.batch) {
      const [x, y] = batch(data.train, s, Math.min(cfg.batch, cfg.trainCount - s));
      p = step(p, x, y);
      if ((s / cfg.batch) % SYNC_EVERY === SYNC_EVERY - 1) await p.b[0]!.blockUntilReady();
    }
    await p.b[p.b.length - 1]!.blockUntilReady();
    epochSeconds.push((now() - t0) / 1000);
  }
  step.dispose();
  const accuracy = mlpAccuracy(await fromArrays(p, initial.sizes), data.test, 'sigmoid');
  return { samplesPerSec: epochRate(cfg.trainCount, epochSeconds), epochSeconds, accuracy };
}

export async function jaxW2(data: Mnist, initial: MlpParams, cfg: W2Config): Promise<W2Result> {
  const { lr, beta1: b1, beta2: b2, eps } = cfg;
  // bc1 = 1−β1^t, bc2 = 1−β2^t come in as scalars so one compiled step serves every t.
  const step = jit(
    (p: Params, s: AdamState, x: np.Array, y: np.Array, bc1: np.Array, bc2: np.Array) => {
      const [loss, g] = valueAndGrad(crossEntropy)(tree.ref(p), x, y);
      const m = tree.map(
        (mi: np.Array, gi: np.Array) => mi.mul(b1).add(gi.mul(1 - b1)),
        s.m,
        tree.ref(g),
      );
      const v = tree.map(
        (vi: np.Array, gi: np.Array) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)),
        s.v,
        g,
      );
      const upd = (w: np.Array, mi: np.Array, vi: np.Array) =>
        w.sub(
          mi
            .div(bc1.ref)
            .mul(lr)
            .div(np.sqrt(vi.div(bc2.ref)).add(eps)),
        );
      const next = tree.map(upd, p, tree.ref(m), tree.ref(v));
      bc1.dispose();
      bc2.dispose();
      return { loss, p: next, s: { m, v } };
    },
  );
  let p = toArrays(initial);
  const zeros = (): Params => ({
    w: p.w.map((w) => np.zeros(w.shape)),
    b: p.b.map((b) => np.zeros(b.shape)),
  });
  let s: AdamState = { m: zeros(), v: zeros() };
  const { ms, last } = await timeSteps(cfg.warmup, cfg.steps, async (t) => {
    const [x, y] = batch(data.train, w2BatchStart(t, data.train.count, cfg.batch), cfg.batch);
    const bc = (beta: number) => np.array(1 - beta ** (t + 1));
    const out = step(p, s, x, y, bc(b1), bc(b2));
    p = out.p;
    s = out.s;
    return (await out.loss.data())[0]!;
  });
  step.dispose();
  tree.dispose([p, s]);
  return { msPerStep: ms, steps: cfg.steps, finalLoss: last };
}

export async function jaxW3(input: MatmulInput, cfg: W3Config): Promise<W3Result> {
  const { n } = input;
  const a = np.array(input.a.slice(), { shape: [n, n] });
  const b = np.array(input.b.slice(), { shape: [n, n] });
  let c: ArrayLike<number> = [];
  const { ms } = await timeSteps(cfg.warmup, cfg.reps, async () => {
    c = await np.matmul(a.ref, b.ref).data();
    return 0;
  });
  a.dispose();
  b.dispose();
  return { ms, gflops: (2 * n ** 3) / (ms * 1e6), check: checkMatmul(input, c) };
}
