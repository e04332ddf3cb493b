// The interleaved benchmark loop: for each repetition, for each workload, for each implementation
// (gradc targets, peers, JS baselines) run one measurement; collects every repetition's result.
import { baselines } from './baselines.ts';
import { heMlpParams, loadMnist, matmulInput, seedMlpParams } from './data.ts';
import type { Mnist } from './data.ts';
import { w4, w5 } from './gradc-compile.ts';
import type { W4Result, W5Result } from './gradc-compile.ts';
import { gradcPeer } from './gradc.ts';
import type { GradcPeer } from './gradc.ts';
import { allPeers } from './peers/index.ts';
import type { BenchConfig, Peer, W1Result, W2Result, W3Result } from './peers/types.ts';

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5'] as const;
export type Workload = (typeof WORKLOADS)[number];

export type AnyResult = W1Result | W2Result | W3Result | W4Result | W5Result;

/** One implementation's results on one workload: a result per repetition, or why it has none. */
export interface Series {
  impl: string;
  kind: 'gradc' | 'peer' | 'baseline';
  runs: AnyResult[];
  unavailable?: string;
  error?: string;
}

export interface Impl {
  peer: Peer;
  kind: Series['kind'];
  notes: string;
  version: string;
  unavailable?: string;
}

export interface BenchOptions {
  cfg: BenchConfig;
  workloads: readonly Workload[];
  /** Substrings of implementation names to keep (empty: all). */
  only: readonly string[];
  reps: number;
  /** Override of W4's generated-graph sizes. */
  ladder?: [number, number];
  log?: (line: string) => void;
}

export interface BenchOutcome {
  impls: Impl[];
  results: Record<Workload, Series[]>;
}

/** W4 generated graphs (node counts) and the limit on one compile of them, full and quick. */
const W4_LADDER = { full: [1000, 10000], quick: [100, 1000] } as const;
const W4_TIMEOUT_MS = { full: 120_000, quick: 30_000 } as const;
/** W4 scale cases (issue #12): each with its gradient, in process and by spawning `gradc compile`. */
const W4_SCALE = {
  full: [
    ['chain', 20_000],
    ['branches', 10_000],
    ['mixed', 10_000],
    ['mixed', 100_000],
  ],
  quick: [
    ['chain', 500],
    ['mixed', 500],
  ],
} as const;

function supports(impl: Impl, w: Workload): boolean {
  const p = impl.peer;
  // Compile (W4, W5) is measured once per target; W1 has no matmul large enough to share.
  const threaded = /-\dt$/.test(p.name);
  if (w === 'W4' || w === 'W5')
    return impl.kind === 'gradc' && !p.name.endsWith('-scalar') && !threaded;
  // numpy's W1 (the seed's own network.py) is a target at 1 thread; only gradc's threaded
  // variant sits W1 out.
  if (w === 'W1' && threaded && impl.kind === 'gradc') return false;
  return (w === 'W1' ? p.w1 : w === 'W2' ? p.w2 : p.w3) !== undefined;
}

async function measure(impl: Impl, w: Workload, o: BenchOptions, data: Mnist): Promise<AnyResult> {
  const { cfg } = o;
  const p = impl.peer;
  switch (w) {
    case 'W1':
      return p.w1!(data, seedMlpParams(), cfg.w1);
    case 'W2':
      return p.w2!(data, heMlpParams(), cfg.w2);
    case 'W3':
      return p.w3!(matmulInput(cfg.w3.n), cfg.w3);
    case 'W4': {
      const target = (p as GradcPeer).target;
      const size = cfg.quick ? 'quick' : 'full';
      const [small, large] = W4_LADDER[size];
      const ladder: [number, number] = o.ladder ?? [small, large];
      const ladderTimeoutMs = W4_TIMEOUT_MS[size];
      const scale = W4_SCALE[size].flatMap(([kind, n]) =>
        (['inproc', 'cli'] as const).map((mode) => ({ kind, n, mode })),
      );
      return w4(target, {
        w1: cfg.w1,
        sizes: seedMlpParams().sizes,
        ladder,
        ladderTimeoutMs,
        scale,
      });
    }
    case 'W5':
      return w5(heMlpParams().sizes, cfg.w2);
  }
}

/** Every implementation, filtered by `only`, each set up once to learn whether it is available. */
async function setupAll(only: readonly string[]): Promise<Impl[]> {
  const peers: Array<[Peer, Impl['kind']]> = [
    [gradcPeer('ts'), 'gradc'],
    [gradcPeer('ts', 'off'), 'gradc'],
    [gradcPeer('ts', 'auto', 2), 'gradc'],
    [gradcPeer('wgsl'), 'gradc'],
    ...allPeers().map((p): [Peer, Impl['kind']] => [p, 'peer']),
    ...baselines().map((p): [Peer, Impl['kind']] => [p, 'baseline']),
  ];
  const impls: Impl[] = [];
  for (const [peer, kind] of peers) {
    if (only.length && !only.some((s) => peer.name.includes(s))) continue;
    const reason = await peer.setup();
    impls.push({ peer, kind, notes: peer.notes(), version: peer.version, unavailable: reason });
  }
  return impls;
}

export async function runBench(o: BenchOptions): Promise<BenchOutcome> {
  const log = o.log ?? (() => {});
  const data = loadMnist();
  const impls = await setupAll(o.only);
  const results = Object.fromEntries(WORKLOADS.map((w) => [w, [] as Series[]])) as Record<
    Workload,
    Series[]
  >;
  const series = new Map<string, Series>();
  for (const w of o.workloads) {
    for (const impl of impls) {
      if (!supports(impl, w)) continue;
      const s: Series = { impl: impl.peer.name, kind: impl.kind, runs: [] };
      if (impl.unavailable) s.unavailable = impl.unavailable;
      results[w].push(s);
      series.set(`${w}/${impl.peer.name}`, s);
    }
  }
  for (let rep = 0; rep < o.reps; rep++) {
    for (const w of o.workloads) {
      for (const impl of impls) {
        const s = series.get(`${w}/${impl.peer.name}`);
        if (!s || s.unavailable || s.error) continue;
        if (rep > 0 && (w === 'W4' || w === 'W5')) continue; // slow (W4) or deterministic (W5): once
        try {
          // tfjs backends share one global engine: re-select this peer's backend before each run.
          await impl.peer.setup();
          s.runs.push(await measure(impl, w, o, data));
          await impl.peer.dispose();
          log(`rep ${rep + 1}/${o.reps} ${w} ${impl.peer.name}: done`);
        } catch (e) {
          s.error = e instanceof Error ? e.message : String(e);
          log(`rep ${rep + 1}/${o.reps} ${w} ${impl.peer.name}: ERROR ${s.error}`);
        }
      }
    }
  }
  return { impls, results };
}
