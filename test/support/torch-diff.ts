// gradc against PyTorch on one JSON graph: rebuild it, add ∂loss/∂x and the Hessian-vector
// products as outputs, and compare the interpreter and compiled TS with torch's float64 values.
// Shared by the fixture replay test (test/torch/) and the scratch runner (scripts/torch-diff/).
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { interpret } from '../../src/interp/interpret.ts';
import type { Node } from '../../src/ir/node.ts';
import { ATOL, RTOL } from '../codegen/harness.ts';
import { decodeNum, graphFromJson } from './graph-json.ts';
import type { FromJson, JsonGraph, JsonNum } from './graph-json.ts';

/** What scripts/torch-diff/torch_eval.py prints for one graph. */
export interface TorchResult {
  readonly name: string;
  readonly outputs?: Readonly<Record<string, readonly JsonNum[]>>;
  readonly grads?: readonly (readonly JsonNum[])[];
  readonly hvp?: readonly (readonly JsonNum[])[];
  /** Set when torch could not evaluate the graph. */
  readonly error?: string;
}

export type Target = 'interp' | 'wasm-auto' | 'wasm-off';

/**
 * Float64 against float64: the formulas differ (torch's erf, softplus, layer_norm against gradc's
 * own), so not bit-equal, but far tighter than the float32 tolerance of the compiled targets.
 */
const F64_ATOL = 1e-9;
const F64_RTOL = 1e-7;

/**
 * The first element outside |got − want| ≤ atol·(1 + max|want|) + rtol·|want| (max over the
 * finite values), or null. Non-finite values must match exactly: ∞ with ∞ of the same sign, NaN
 * with NaN.
 */
function mismatchAt(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  atol: number,
  rtol: number,
): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    if (Number.isFinite(want[i]!)) scale = Math.max(scale, Math.abs(want[i]!));
  }
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i]!, want[i]!];
    const close = Number.isFinite(e)
      ? Math.abs(a - e) <= atol * (1 + scale) + rtol * Math.abs(e)
      : a === e || (Number.isNaN(a) && Number.isNaN(e));
    if (!close) return `element ${i}: got ${a}, expected ${e} (scale ${scale})`;
  }
  return null;
}

/** The graph rebuilt with `grad_k` = ∂loss/∂wrt[k] and `hvp_k` = ∂⟨∇loss, v⟩/∂wrt[k] as outputs. */
export function withDerivatives(j: JsonGraph): FromJson {
  const fj = graphFromJson(j);
  const g = fj.graph;
  const xs = j.wrt.map((i) => fj.nodes[i]!);
  const loss = fj.nodes[j.loss]!;
  if (xs.length === 0) return fj;
  const gs = grad(loss, xs);
  gs.forEach((d, k) => g.output(`grad_${k}`, d));
  const dots = gs.map((d: Node, k) => B.sum(B.mul(d, B.tensor(g, j.hvpV[k]!, d.shape))));
  const dot = dots.reduce((a, b) => B.add(a, b));
  grad(dot, xs).forEach((h, k) => g.output(`hvp_${k}`, h));
  return fj;
}

/** Torch's values under the output names withDerivatives gives. */
export function expected(j: JsonGraph, r: TorchResult): Record<string, number[]> {
  const want: Record<string, number[]> = {};
  const dec = (v: readonly JsonNum[]) => v.map(decodeNum);
  for (const [k, v] of Object.entries(r.outputs ?? {})) want[k] = dec(v);
  j.wrt.forEach((_, k) => {
    want[`grad_${k}`] = dec(r.grads![k]!);
    want[`hvp_${k}`] = dec(r.hvp![k]!);
  });
  return want;
}

/**
 * Every output of `targets` that differs from torch, as messages (empty: all agree). The
 * interpreter is held to the float64 tolerance, compiled modules to the float32 one.
 */
export async function diffWithTorch(
  j: JsonGraph,
  r: TorchResult,
  targets: readonly Target[],
): Promise<string[]> {
  if (r.error) return [`torch: ${r.error}`];
  const fj = withDerivatives(j);
  const want = expected(j, r);
  const out: string[] = [];
  for (const t of targets) {
    let got: Record<string, ArrayLike<number>>;
    if (t === 'interp') got = interpret(fj.graph, fj.feeds, fj.params).outputs;
    else {
      const exe = await compile(fj.graph, {
        target: 'ts',
        wasm: t === 'wasm-auto' ? 'auto' : 'off',
      });
      got = await exe.run(fj.feeds);
      exe.dispose?.();
    }
    const [atol, rtol] = t === 'interp' ? [F64_ATOL, F64_RTOL] : [ATOL, RTOL];
    for (const [name, w64] of Object.entries(want)) {
      // Compiled code computes in float32: what overflows float32 must be ∞ there, as in torch's.
      const w = t === 'interp' ? w64 : w64.map(Math.fround);
      const m = got[name] ? mismatchAt(got[name]!, w, atol, rtol) : 'missing';
      if (m) out.push(`${t} ${name}: ${m}`);
    }
  }
  return out;
}
