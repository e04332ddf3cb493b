// The compiled-code gradient check: gradients computed by the compiled executable (float32)
// against central finite differences of the loss in the float64 interpreter, per param.
import { interpret } from '../interp/interpret.ts';
import type { Values } from '../interp/interpret.ts';
import type { Graph } from '../ir/graph.ts';
import { mulberry32 } from '../ir/init.ts';
import { rebuild } from '../ir/rebuild.ts';
import type { Target } from '../runtime/executable.ts';
import { addGradOutputs, scalarOutput } from './gradgraph.ts';

export interface FdOptions {
  readonly target: Target;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  readonly maxElements: number;
  readonly seed: number;
}

export interface ParamCheck {
  readonly name: string;
  readonly shape: readonly number[];
  readonly checked: number;
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Largest |interpreter's symbolic gradient − finite difference|: is the rule or the backend off? */
  readonly interpAbs: number;
  readonly worst: { readonly index: number; readonly compiled: number; readonly fd: number };
  readonly pass: boolean;
}

export interface FdReport {
  readonly loss: { readonly compiled: number; readonly interp: number };
  readonly params: readonly ParamCheck[];
  readonly pass: boolean;
}

/** A copy of `g` that computes only its scalar loss: what each finite difference evaluates. */
function lossOnly(g: Graph): Graph {
  const { name } = scalarOutput(g);
  const copy = rebuild(g).graph;
  const loss = copy.outputs.get(name)!;
  copy.updates.clear();
  copy.outputs.clear();
  copy.output('loss', loss);
  return rebuild(copy).graph;
}

/** `maxElements` flat indices of `size`, seeded, sorted (all of them when few). */
function sample(size: number, max: number, seed: number): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = 0; i < Math.min(max, size); i++) {
    const j = i + Math.floor(rand() * (size - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, Math.min(max, size)).sort((a, b) => a - b);
}

export async function fdCheck(model: Graph, feeds: Values, opts: FdOptions): Promise<FdReport> {
  const fwd = lossOnly(model);
  const g = lossOnly(model);
  const { grads } = addGradOutputs(g);
  const { compile } = await import('../compile.ts'); // the renderers load slowly: only on use
  const exe = await compile(g, { target: opts.target, seed: opts.seed });
  try {
    const out = await exe.run(feeds);
    const params: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(exe.params)) params[k] = Float64Array.from(v);
    const ev = interpret(g, feeds, params);
    const lossAt = (name: string, i: number, delta: number): number => {
      const saved = params[name]![i]!;
      params[name]![i] = saved + delta;
      const v = interpret(fwd, feeds, params).outputs['loss']![0]!;
      params[name]![i] = saved;
      return v;
    };
    const checks = [...grads].map(([name, out_], k) => {
      const compiled = out[out_]!;
      const symbolic = ev.outputs[out_]!;
      const idx = sample(compiled.length, opts.maxElements, opts.seed + 7919 * k);
      return compareParam(
        g,
        name,
        idx,
        compiled,
        symbolic,
        (i) => {
          const up = lossAt(name, i, opts.eps);
          return (up - lossAt(name, i, -opts.eps)) / (2 * opts.eps);
        },
        opts,
      );
    });
    const loss = { compiled: out['loss']![0]!, interp: ev.outputs['loss']![0]! };
    return { loss, params: checks, pass: checks.every((c) => c.pass) };
  } finally {
    exe.dispose();
  }
}

function compareParam(
  g: Graph,
  name: string,
  idx: readonly number[],
  compiled: Float32Array,
  symbolic: Float64Array,
  fdAt: (i: number) => number,
  opts: FdOptions,
): ParamCheck {
  let [maxAbs, maxRel, interpAbs, pass] = [0, 0, 0, true];
  let worst = { index: idx[0] ?? 0, compiled: NaN, fd: NaN };
  for (const i of idx) {
    const fd = fdAt(i);
    const c = compiled[i]!;
    const scale = Math.max(Math.abs(c), Math.abs(fd));
    const abs = Number.isNaN(c - fd) ? Infinity : Math.abs(c - fd);
    if (!(abs <= opts.atol + opts.rtol * scale)) pass = false;
    if (Number.isNaN(worst.compiled) || abs > maxAbs) worst = { index: i, compiled: c, fd };
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, abs === 0 ? 0 : abs / scale);
    interpAbs = Math.max(interpAbs, Math.abs(symbolic[i]! - fd));
  }
  const shape = g.params.get(name)!.node.shape;
  return { name, shape, checked: idx.length, maxAbs, maxRel, interpAbs, worst, pass };
}
