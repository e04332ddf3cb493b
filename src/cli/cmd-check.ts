// `gradc check <model.ts>`: gradients of the compiled code against finite differences in the
// float64 interpreter, as a per-param table; exit 1 when any param is off.
import { gradCheck } from '../index.ts';
import type { GradCheckReport, Graph, Target, Values } from '../index.ts';
import { mulberry32, rebuild } from '../internal.ts';
import type { Parsed } from './args.ts';
import { num, positiveInt, str } from './args.ts';
import type { Io } from './common.ts';
import { addGradOutputs, loadFromArgs, scalarOutput } from './common.ts';
import type { TrainSetup } from './contract.ts';

import { table } from './help.ts';

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

/** A copy of `g` that computes only its scalar loss (as output 'loss'): what is differentiated. */
function lossOnly(g: Graph): Graph {
  const { name } = scalarOutput(g);
  const copy = rebuild(g).graph;
  const loss = copy.outputs.get(name)!;
  copy.updates.clear();
  copy.outputs.clear();
  copy.output('loss', loss);
  return rebuild(copy).graph;
}

export function formatFdReport(
  r: GradCheckReport,
  head: string,
  loss: { compiled: number; interp: number },
): string {
  const rows = r.targets.map((c) => [
    c.name,
    `[${c.shape.join(',')}]`,
    String(c.checked),
    e2(c.maxAbsError),
    e2(c.maxRelError),
    e2(c.symbolicAbsError),
    c.worst ? `[${c.worst.index}] ${e2(c.worst.symbolic)} vs ${e2(c.worst.numeric)}` : '-',
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
  const bad = r.targets.filter((c) => !c.pass).map((c) => c.name);
  const tol = `atol ${e2(r.atol)} + rtol ${e2(r.rtol)}`;
  const verdict = r.pass
    ? `PASS: ${r.targets.length} params within ${tol}`
    : `FAIL: ${bad.join(', ')} outside ${tol}`;
  const line = `loss: compiled ${loss.compiled.toPrecision(7)}, interpreter ${loss.interp.toPrecision(7)}`;
  return [head, line, ...table(rows, cols), verdict].join('\n') + '\n';
}

/**
 * The compiled gradients (float32, from the target) checked by the one finite-difference checker,
 * autodiff's gradCheck: central differences of the loss in the float64 interpreter.
 */
export async function runCheck(p: Parsed, io: Io): Promise<number> {
  const { graph, model } = await loadFromArgs(p, 'check');
  const target = str(p, 'target') as Target;
  const seed = num(p, 'seed')!;
  const g = lossOnly(graph);
  const { grads } = addGradOutputs(g);
  const feeds = await feedsFor(g, model.train, seed);
  const { compile } = await import('../index.ts'); // the renderers load slowly: only on use
  const exe = await compile(g, { target, seed });
  try {
    const out = await exe.run(feeds);
    const params = Object.fromEntries(
      Object.entries(exe.params).map(([k, v]) => [k, Float64Array.from(v)]),
    );
    const names = [...grads.keys()];
    const report = gradCheck(g, g.outputs.get('loss')!, names, feeds, params, {
      eps: num(p, 'eps')!,
      atol: num(p, 'atol')!,
      rtol: num(p, 'rtol')!,
      maxElements: positiveInt(p, 'check', 'max-elements')!,
      seed,
      values: names.map((n) => out[grads.get(n)!]!),
    });
    const head = `gradient check of graph '${graph.name}': target ${target} vs central differences (eps ${e2(report.eps)}) of the float64 interpreter`;
    const loss = { compiled: out['loss']![0]!, interp: report.loss };
    io.out(formatFdReport(report, head, loss));
    return report.pass ? 0 : 1;
  } finally {
    exe.dispose();
  }
}
