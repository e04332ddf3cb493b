// gradc against PyTorch autodiff on fuzzed graphs (a dev tool: needs /usr/bin/python3 with torch).
// Each seed's graph goes to torch_eval.py as JSON; its float64 outputs, gradients and Hessian-vector
// products are compared with gradc's interpreter and compiled TS (wasm 'auto' and 'off').
//   npx tsx scripts/torch-diff/run.ts [--from 0] [--count 500] [--nodes 10] [--targets a,b,c]
//     [--edges | --quantize] [--dump graphs.jsonl] [--fixtures F --keep N --max-chars C]
// --edges runs the hand-made edge-value graphs of edges.ts instead of fuzzed seeds.
// With --fixtures, the first --keep graphs that agree on every target (and fit the size cap) are
// written with torch's results. Regenerate test/fixtures/torch/ with the three commands in
// scripts/torch-diff/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initParams } from '../../src/interp/interpret.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { graphToJson } from '../../test/support/graph-json.ts';
import { decodeNum } from '../../test/support/graph-json.ts';
import type { JsonGraph, JsonNum } from '../../test/support/graph-json.ts';
import { edgeGraphs } from './edges.ts';
import { diffWithTorch } from '../../test/support/torch-diff.ts';
import type { Target, TorchResult } from '../../test/support/torch-diff.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

const from = Number(arg('from', '0'));
const count = Number(arg('count', '500'));
const nodes = Number(arg('nodes', '10'));
const targets = arg('targets', 'interp,wasm-auto,wasm-off').split(',') as Target[];
const fixtures = arg('fixtures', '');
const keep = Number(arg('keep', '150'));
/** A fixture graph's JSON (with torch's result) stays under this many characters. */
const fixtureChars = Number(arg('max-chars', '5000'));

/** The names of the f32 inputs and params (i32 feeds are indices and wrapping operands). */
function f32Leaves(j: JsonGraph): Set<string> {
  const leaf = (n: JsonGraph['nodes'][number]) => n.op === 'input' || n.op === 'param';
  return new Set(
    j.nodes.filter((n) => n.dtype === 'f32' && leaf(n)).map((n) => String(n.attrs['name'])),
  );
}

/**
 * Ties on purpose (--quantize): every f32 input and param value snapped to a multiple of ½ in
 * [−2, 2], so maxima tie, relu and abs meet 0 and rounding meets halves, unlike the fuzzer's own
 * values (which steer clear of them).
 */
function quantize(j: JsonGraph): JsonGraph {
  const f32 = f32Leaves(j);
  const snap = (vs: Readonly<Record<string, readonly JsonNum[]>>) =>
    Object.fromEntries(
      Object.entries(vs).map(([k, v]) => [
        k,
        f32.has(k) ? v.map((x) => Math.max(-2, Math.min(2, Math.round(2 * decodeNum(x)) / 2))) : v,
      ]),
    );
  return { ...j, feeds: snap(j.feeds), params: snap(j.params) };
}

/** The fuzzed graph of one seed as JSON: its loss differentiated w.r.t. params and f32 inputs. */
export function seedJson(seed: number, n: number): JsonGraph {
  const f = fuzzGraph({ seed, nodes: n });
  const g = f.graph;
  const wrt = [
    ...[...g.params.values()].map((p) => p.node),
    ...[...g.inputs.values()].filter((x) => x.dtype === 'f32'),
  ];
  const rnd = mulberry32(seed ^ 0x5eed);
  // Multiples of 1/64 in [−1, 1]: exact in float32, and short in the fixture files.
  const hvpV = wrt.map((x) =>
    Array.from({ length: x.size }, () => Math.round(128 * rnd() - 64) / 64),
  );
  const params = initParams(g);
  return graphToJson({ graph: g, feeds: f.inputs, params, loss: f.lossNode, wrt, hvpV });
}

/** Rounds every number under `v` (not tagged ones) to `digits` significant digits. */
function roundNums<T>(v: T, digits: number): T {
  if (typeof v === 'number') return Number(v.toPrecision(digits)) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => roundNums(x, digits)) as T;
  if (v === null || typeof v !== 'object' || '$num' in v) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundNums(x, digits)])) as T;
}

/**
 * A fixture, smaller: leaf values to 9 digits (a float32 survives), torch's results to 10 (the
 * replay's float64 tolerance is 1e-7 relative). The graph itself is kept exactly.
 */
function compact(j: JsonGraph, r: TorchResult): { graph: JsonGraph; torch: TorchResult } {
  const f32 = f32Leaves(j);
  const feeds = Object.fromEntries(
    Object.entries(j.feeds).map(([k, v]) => [k, f32.has(k) ? roundNums(v, 9) : v]),
  );
  const graph = { ...j, feeds, params: roundNums(j.params, 9) };
  return { graph, torch: roundNums(r, 10) };
}

function runTorch(graphs: readonly JsonGraph[]): TorchResult[] {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_eval.py');
  const res = spawnSync('/usr/bin/python3', [script], {
    input: graphs.map((j) => JSON.stringify(j)).join('\n') + '\n',
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`torch_eval.py failed: ${res.stderr}`);
  return res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TorchResult);
}

async function main(): Promise<void> {
  const graphs: JsonGraph[] = [];
  if (process.argv.includes('--edges')) graphs.push(...edgeGraphs());
  else for (let s = from; s < from + count; s++) graphs.push(seedJson(s, nodes));
  if (process.argv.includes('--quantize')) graphs.splice(0, graphs.length, ...graphs.map(quantize));
  const dump = arg('dump', '');
  if (dump) return writeFileSync(dump, graphs.map((j) => JSON.stringify(j)).join('\n') + '\n');
  const t0 = Date.now();
  const results = runTorch(graphs);
  console.log(`torch: ${graphs.length} graphs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const kept: { graph: JsonGraph; torch: TorchResult }[] = [];
  let bad = 0;
  let deviations = 0;
  let compared = 0;
  for (let i = 0; i < graphs.length; i++) {
    const [j, r] = [graphs[i]!, results[i]!];
    let fails: string[];
    try {
      fails = await diffWithTorch(j, r, targets);
    } catch (e) {
      fails = [`gradc threw: ${(e as Error).message}`];
    }
    compared++;
    if (j.name.startsWith('deviation_')) {
      deviations++;
      console.log(
        `${j.name} (documented): ${fails.length} differ${fails.length ? '\n  ' : ''}${fails.slice(0, 4).join('\n  ')}`,
      );
    } else if (fails.length) {
      bad++;
      console.log(`${j.name}: ${fails.length} differ\n  ${fails.slice(0, 8).join('\n  ')}`);
    } else if (fixtures && kept.length < keep) {
      const fixture = compact(j, r);
      if (JSON.stringify(fixture).length <= fixtureChars) kept.push(fixture);
    }
  }
  const orders = 'forward, first order, Hessian-vector products';
  console.log(`${compared} graphs × (${orders}) × [${targets}]: ${bad} with differences`);
  if (deviations) console.log(`(${deviations} of them documented deviations, counted apart)`);
  if (fixtures) {
    mkdirSync(dirname(fixtures), { recursive: true });
    writeFileSync(fixtures, JSON.stringify(kept) + '\n');
    console.log(`wrote ${kept.length} graphs to ${fixtures}`);
  }
}

await main();
