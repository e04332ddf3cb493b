// The page's gradc worker: runs gradc's generated modules (gen/<workload>-<threads>t.js beside this bundle, compiled
// ahead by build.ts) in a dedicated Worker, where a module over 4 KB may be compiled
// synchronously and Atomics.wait is allowed, so a threaded module's own Web Workers share its
// large matmuls. The same W2/W3 as bench/gradc.ts: same batches, initial params and timing.
import { checkMatmul, heMlpParams, matmulInput, CLASSES, PIXELS } from '../data.ts';
import type { MatmulInput, MlpParams, Split } from '../data.ts';
import { mlpFeeds } from '../gradc-graphs.ts';
import { timeSteps, w2BatchStart } from '../peers/stats.ts';
import { GRADC_THREADS, moduleName } from './protocol.ts';
import type { BrowserPlan, BrowserRun, FromGradc, ThreadCheck, ToGradc } from './protocol.ts';

type Arrays = Record<string, Float32Array>;

/** The part of a generated module's API the bench uses. */
interface Workspace {
  readonly params: Arrays;
  dispose?(): void;
  /** Threaded modules only. */
  threads?(): number;
}
interface Generated {
  createWorkspace(): Workspace;
  step?(inputs: Arrays, params: Arrays, ws: Workspace): Arrays;
  run(inputs: Arrays, params: Arrays, ws: Workspace): Arrays;
  initParams?(seed?: number): Arrays;
}

interface Loaded {
  mod: Generated;
  ws: Workspace;
  threads: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: { data: ToGradc }) => void) | null;
  postMessage(m: FromGradc): void;
};

let plan: BrowserPlan;
let train: Split;
let initial: MlpParams;
let w3: MatmulInput;
const loaded = new Map<string, Loaded>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Load a module and make its workspace; a threaded one waits (≤ 10 s) for its workers. */
async function load(name: string, threads: number): Promise<Loaded> {
  const mod = (await import(new URL(`./${name}.js`, import.meta.url).href)) as Generated;
  const ws = mod.createWorkspace();
  // Nested workers start while this worker's event loop turns, not while a step runs.
  for (let i = 0; i < 1000 && (ws.threads?.() ?? 1) < threads; i++) await sleep(10);
  return { mod, ws, threads };
}

function batch(step: number): Arrays {
  const start = w2BatchStart(step, train.count, plan.w2.batch);
  return {
    x: train.x.subarray(start * PIXELS, (start + plan.w2.batch) * PIXELS),
    y: train.y.subarray(start * CLASSES, (start + plan.w2.batch) * CLASSES),
  };
}

/** W2's params as at the start of every run: He weights, zero moments and step count. */
function reset(l: Loaded): void {
  const zero = l.mod.initParams?.(0) ?? {};
  for (const [k, v] of Object.entries(l.ws.params)) v.fill(0).set(zero[k] ?? []);
  for (const [k, v] of Object.entries(mlpFeeds(initial))) l.ws.params[k]!.set(v);
}

const threadsOf = (l: Loaded) => l.ws.threads?.() ?? 1;

async function measure(l: Loaded, run: Pick<BrowserRun, 'impl' | 'workload' | 'rep'>) {
  if (run.workload === 'W2') {
    reset(l);
    const step = (s: number) => l.mod.step!(batch(s), l.ws.params, l.ws)['loss']![0]!;
    const { ms, last } = await timeSteps(plan.w2.warmup, plan.w2.steps, async (s) => step(s));
    return { ...run, ms, finalLoss: last, threads: threadsOf(l) } satisfies BrowserRun;
  }
  let c: ArrayLike<number> = [];
  const { ms } = await timeSteps(plan.w3.warmup, plan.w3.reps, async () => {
    c = l.mod.run({ a: w3.a, b: w3.b }, l.ws.params, l.ws)['c']!;
    return 0;
  });
  const gflops = (2 * w3.n ** 3) / (ms * 1e6);
  return {
    ...run,
    ms,
    gflops,
    check: checkMatmul(w3, c),
    threads: threadsOf(l),
  } satisfies BrowserRun;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && bits(a).every((v, i) => v === bits(b)[i]);

/** The 1-thread and 2-thread modules on the same steps: outputs and params must be bitwise equal. */
async function check(steps: number): Promise<ThreadCheck> {
  const out: ThreadCheck = { threads: [], losses: [[], []], differ: [], compared: 0 };
  if (plan.workloads.includes('W2')) {
    const [one, two] = [loaded.get(moduleName('W2', 1))!, loaded.get(moduleName('W2', 2))!];
    reset(one);
    reset(two);
    out.threads.push(threadsOf(two));
    for (let s = 0; s < steps; s++) {
      [one, two].forEach((l, i) =>
        out.losses[i]!.push(l.mod.step!(batch(s), l.ws.params, l.ws)['loss']![0]!),
      );
    }
    for (const [k, v] of Object.entries(one.ws.params)) {
      out.compared += v.length;
      if (!same(v, two.ws.params[k]!)) out.differ.push(k);
    }
  }
  if (plan.workloads.includes('W3')) {
    const [one, two] = [loaded.get(moduleName('W3', 1))!, loaded.get(moduleName('W3', 2))!];
    out.threads.push(threadsOf(two));
    const c1 = one.mod.run({ a: w3.a, b: w3.b }, one.ws.params, one.ws)['c']!.slice();
    const c2 = two.mod.run({ a: w3.a, b: w3.b }, two.ws.params, two.ws)['c']!;
    out.compared += c1.length;
    if (!same(c1, c2)) out.differ.push('c');
  }
  return out;
}

async function handle(m: ToGradc): Promise<FromGradc> {
  if (m.type === 'init') {
    plan = m.plan;
    const { count } = plan;
    const y = new Float32Array(m.data, count * PIXELS * 4, count * CLASSES);
    const labels = new Uint8Array(count).map((_, n) => y.subarray(n * CLASSES).indexOf(1));
    train = { count, x: new Float32Array(m.data, 0, count * PIXELS), y, labels };
    initial = heMlpParams(plan.sizes);
    w3 = matmulInput(plan.w3.n);
    for (const w of plan.workloads) {
      for (const threads of new Set(Object.values(GRADC_THREADS))) {
        loaded.set(moduleName(w, threads), await load(moduleName(w, threads), threads));
      }
    }
    return { type: 'ready' };
  }
  if (m.type === 'check') return { type: 'checked', check: await check(m.steps) };
  const l = loaded.get(moduleName(m.workload, GRADC_THREADS[m.impl] ?? 1))!;
  return { type: 'result', run: await measure(l, m) };
}

scope.onmessage = (e) => {
  handle(e.data).then(
    (reply) => scope.postMessage(reply),
    (err: unknown) =>
      scope.postMessage({
        type: 'error',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  );
};
