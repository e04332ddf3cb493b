// What the browser bench's parts say to each other: the plan the driver writes for the page, the
// messages between the page and its gradc worker, and the results the page hands the driver.
import type { MatmulCheck } from '../data.ts';
import type { W2Config, W3Config } from '../peers/types.ts';

export type BrowserWorkload = 'W2' | 'W3';

/** gradc's modules run in a dedicated Worker; jax-js runs on the page's main thread. */
export const BROWSER_IMPLS = [
  'gradc-ts',
  'gradc-ts-2t',
  'jax-js-wasm',
  'jax-js-wasm-workers',
] as const;
export type BrowserImpl = (typeof BROWSER_IMPLS)[number];

/** Threads each gradc implementation's module was compiled for. */
export const GRADC_THREADS: Partial<Record<BrowserImpl, number>> = {
  'gradc-ts': 1,
  'gradc-ts-2t': 2,
};

/** The generated module of a gradc implementation for a workload: gen/<name>.js. */
export const moduleName = (w: BrowserWorkload, threads: number): string =>
  `${w.toLowerCase()}-${threads}t`;

/** gen/plan.json. */
export interface BrowserPlan {
  quick: boolean;
  reps: number;
  workloads: BrowserWorkload[];
  impls: BrowserImpl[];
  w2: W2Config;
  w3: W3Config & { n: number };
  /** Layer sizes of W2 (heMlpParams). */
  sizes: number[];
  /** Workers in jax-js's pool (its navigator.hardwareConcurrency, as build.ts bundled it). */
  jaxWorkers: number;
  /** Training samples in gen/data.bin: images [count, 784] then one-hot targets [count, 10]. */
  count: number;
}

/** One measurement of one implementation on one workload. */
export interface BrowserRun {
  impl: BrowserImpl;
  workload: BrowserWorkload;
  rep: number;
  /** W2: median ms per step; W3: median ms per matmul (result read back included). */
  ms: number;
  gflops?: number;
  finalLoss?: number;
  check?: MatmulCheck;
  /** Threads that shared the work: gradc's Workspace.threads(); jax-js's worker count. */
  threads: number;
}

/** The page's state, read by the driver (globalThis.browserBench). */
export interface PageState {
  done: boolean;
  error?: string;
  runs: BrowserRun[];
  /** With ?check: the 1-thread and threaded modules compared (no timing). */
  check?: ThreadCheck;
  env?: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean };
}

/** Page → gradc worker. */
export type ToGradc =
  | { type: 'init'; plan: BrowserPlan; data: ArrayBuffer }
  | { type: 'run'; impl: BrowserImpl; workload: BrowserWorkload; rep: number }
  | { type: 'check'; steps: number };

/** The 1-thread and the threaded modules side by side (test/bench/browser-threads.test.ts). */
export interface ThreadCheck {
  /** Threads the threaded modules ran on when compared. */
  threads: number[];
  /** Every step's loss, 1 thread then threaded, W2. */
  losses: [number[], number[]];
  /** Names of the W2 params or W3 outputs whose bits differ between the two. */
  differ: string[];
  /** Elements compared. */
  compared: number;
}

/** gradc worker → page. */
export type FromGradc =
  | { type: 'ready' }
  | { type: 'result'; run: BrowserRun }
  | { type: 'checked'; check: ThreadCheck }
  | { type: 'error'; message: string };
