// The numerics guard's run-time part (JAX's debug_nans, PyTensor's NanGuardMode): check a call's
// outputs and new params for NaN/±∞, and when one appears, replay the call op by op with every
// value rounded to float32 to find the first op that produced it, named with the user's line.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { fmtShape } from '../ir/shape.ts';
import { topo } from '../ir/traverse.ts';
import type { Values } from '../interp/interpret.ts';
import { OPS } from '../ops/table.ts';
import type { Executable, Feeds, Outputs } from './executable.ts';

/** A non-finite value: what produced it (kernel or op, and the user's line). */
export class NumericsError extends GraphError {
  constructor(message: string, site?: Node['meta']['site']) {
    super('numerics', message, site);
  }
}

export interface NonFinite {
  readonly node: Node;
  readonly index: number;
  readonly value: number;
}

/** The first node (in evaluation order) whose float32-rounded value holds a NaN or ±∞. */
export function firstNonFinite(g: Graph, inputs: Values, params: Values): NonFinite | null {
  const env = new Map<Node, Float64Array>();
  for (const node of topo(g.roots())) {
    const name = (node.attrs as { name?: string }).name!;
    let v: Float64Array;
    if (node.op === 'input') v = Float64Array.from(inputs[name]!);
    else if (node.op === 'param') v = Float64Array.from(params[name]!);
    else {
      const def = OPS[node.op] as {
        eval(i: readonly Float64Array[], at: unknown, n: Node): Float64Array;
      };
      v = def
        .eval(
          node.inputs.map((x) => env.get(x)!),
          node.attrs,
          node,
        )
        .map(Math.fround);
    }
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0 && node.dtype === 'f32') return { node, index: bad, value: v[bad]! };
    env.set(node, v);
  }
  return null;
}

/** One line naming the op, its shape, the element and the user's line (in the error's site). */
export function describeNonFinite(f: NonFinite, when: string): NumericsError {
  const n = f.node;
  const label = n.label ? ` '${n.label}'` : '';
  const what =
    n.op === 'input' || n.op === 'param'
      ? `${n.op}${label} holds ${f.value} at [${f.index}]`
      : `op ${n.op}${label} ${fmtShape(n.shape)} produced ${f.value} at [${f.index}] from finite operands`;
  return new NumericsError(`${when}: ${what}`, n.meta.site);
}

function firstBad(r: Readonly<Record<string, ArrayLike<number>>>): string | null {
  for (const [name, v] of Object.entries(r)) {
    for (let i = 0; i < v.length; i++)
      if (!Number.isFinite(v[i]!)) return `${name}[${i}] = ${v[i]}`;
  }
  return null;
}

export interface GuardOptions {
  /**
   * The executable's kernels check every value they write, on the device (WGSL compiled with
   * checkNumerics): no copy of the params before each call and no scan of them after (a failing
   * call's error carries `paramsBefore`, which the replay starts from). Only outputs, already
   * read back, are scanned on the host (an output may be an input or param no kernel writes).
   */
  readonly checkedOnDevice?: boolean;
}

type Params = Record<string, Float32Array>;

/**
 * Wrap `exe` so each call is checked: a non-finite output or new param throws a NumericsError
 * naming the first op that produced it (found by a float32 replay from the params before the
 * call). On the CPU, params are copied before every step: a debugging mode, not a fast one.
 */
export function guardNumerics(exe: Executable, opts: GuardOptions = {}): Executable {
  const g = exe.graph;
  const snapshot = async (): Promise<Params> => {
    await exe.syncParams?.();
    return Object.fromEntries(Object.entries(exe.params).map(([k, v]) => [k, v.slice()]));
  };
  const call = async (kind: 'step' | 'run', inputs: Feeds): Promise<Outputs> => {
    const onDevice = opts.checkedOnDevice === true;
    const taken = onDevice ? null : await snapshot();
    let out: Outputs;
    try {
      out = await exe[kind](inputs);
    } catch (e) {
      // The targets' own per-kernel checks name the kernel; the replay adds the first op.
      if (!(e instanceof Error) || e.name !== 'NumericsError') throw e;
      const kept = (e as { paramsBefore?: Params }).paramsBefore;
      const found = firstNonFinite(g, inputs, kept ?? taken ?? (await snapshot()));
      throw found ? describeNonFinite(found, e.message) : new NumericsError(e.message);
    }
    if (kind === 'step') await exe.syncParams?.();
    const bad = firstBad(out) ?? (kind === 'step' && !onDevice ? firstBad(exe.params) : null);
    if (!bad) return out;
    // On the device no kernel flagged it: an input or param passed straight to an output.
    const found = firstNonFinite(g, inputs, taken ?? (await snapshot()));
    if (found) throw describeNonFinite(found, `numerics guard (${bad})`);
    throw new NumericsError(
      `numerics guard: ${bad} after ${kind} on ${exe.target}, but a float32 replay of graph '${g.name}' stays finite (a backend difference: report it)`,
    );
  };
  return {
    graph: g,
    target: exe.target,
    get params() {
      return exe.params;
    },
    step: (inputs) => call('step', inputs),
    run: (inputs) => call('run', inputs),
    setParams: (v) => exe.setParams(v),
    ...(exe.syncParams ? { syncParams: () => exe.syncParams!() } : {}),
    dispose: () => exe.dispose(),
  };
}
