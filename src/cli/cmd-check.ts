// `gradc check <model.ts>`: gradients of the compiled code against finite differences in the
// float64 interpreter, as a per-param table; exit 1 when any param is off.
import type { Values } from '../interp/interpret.ts';
import type { Graph } from '../ir/graph.ts';
import { mulberry32 } from '../ir/init.ts';
import type { Target } from '../runtime/executable.ts';
import type { Parsed } from './args.ts';
import { num, positiveInt, str } from './args.ts';
import type { Io } from './common.ts';
import { loadFromArgs } from './common.ts';
import type { TrainSetup } from './contract.ts';
import type { FdReport } from './fdcheck.ts';
import { fdCheck } from './fdcheck.ts';
import { table } from './table.ts';

/** Inputs to check at: the first batch of the model's training data where it fits, else random. */
async function feedsFor(g: Graph, train: TrainSetup | undefined, seed: number): Promise<Values> {
  const rand = mulberry32(seed ^ 0x5eed);
  const feeds: Record<string, ArrayLike<number>> = {};
  for (const [name, node] of g.inputs) {
    const v =
      node.dtype === 'f32'
        ? Float64Array.from({ length: node.size }, () => 2 * rand() - 1)
        : new Int32Array(node.size);
    feeds[name] = name === 'lr' ? [0.1] : v;
  }
  const data = typeof train?.data === 'function' ? await train.data() : train?.data;
  for (const name of ['x', 'y'] as const) {
    const node = g.inputs.get(name);
    const src = data?.[name];
    if (node && src && src.length >= node.size) feeds[name] = src.subarray(0, node.size);
  }
  return feeds;
}

const e2 = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export function formatFdReport(
  r: FdReport,
  head: string,
  opts: { atol: number; rtol: number },
): string {
  const rows = r.params.map((c) => [
    c.name,
    `[${c.shape.join(',')}]`,
    String(c.checked),
    e2(c.maxAbs),
    e2(c.maxRel),
    e2(c.interpAbs),
    `[${c.worst.index}] ${e2(c.worst.compiled)} vs ${e2(c.worst.fd)}`,
    c.pass ? 'ok' : 'FAIL',
  ]);
  const cols = [
    'param',
    'shape',
    'checked',
    'max abs err',
    'max rel err',
    'interp abs err',
    'worst: compiled vs fd',
    '',
  ];
  const bad = r.params.filter((c) => !c.pass).map((c) => c.name);
  const verdict = r.pass
    ? `PASS: ${r.params.length} params within atol ${e2(opts.atol)} + rtol ${e2(opts.rtol)}`
    : `FAIL: ${bad.join(', ')} outside atol ${e2(opts.atol)} + rtol ${e2(opts.rtol)}`;
  const loss = `loss: compiled ${r.loss.compiled.toPrecision(7)}, interpreter ${r.loss.interp.toPrecision(7)}`;
  return [head, loss, ...table(rows, cols), verdict].join('\n') + '\n';
}

export async function runCheck(p: Parsed, io: Io): Promise<number> {
  const { graph, model } = await loadFromArgs(p, 'check');
  const opts = {
    target: str(p, 'target') as Target,
    eps: num(p, 'eps')!,
    atol: num(p, 'atol')!,
    rtol: num(p, 'rtol')!,
    maxElements: positiveInt(p, 'check', 'max-elements')!,
    seed: num(p, 'seed')!,
  };
  const report = await fdCheck(graph, await feedsFor(graph, model.train, opts.seed), opts);
  const head = `gradient check of graph '${graph.name}': target ${opts.target} vs central differences (eps ${e2(opts.eps)}) of the float64 interpreter`;
  io.out(formatFdReport(report, head, opts));
  return report.pass ? 0 : 1;
}
