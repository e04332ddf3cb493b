// Checkpoint semantics over safetensors bytes (format in safetensors.ts): which tensors a model
// saves, and checking a file's tensors against a model. File I/O lives in src/node/checkpoint.ts.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import type { Executable } from '../runtime/executable.ts';
import type { Tensor } from './safetensors.ts';

export { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/** Every param of the model (trainable and state) that `keep` accepts, with its shape. */
export function modelTensors(
  exe: Pick<Executable, 'graph' | 'params'>,
  keep: (name: string) => boolean = () => true,
): Record<string, Tensor> {
  const out = Object.create(null) as Record<string, Tensor>; // param names are user text
  for (const [name, p] of exe.graph.params) {
    if (keep(name)) out[name] = { shape: p.node.shape, data: exe.params[name]! };
  }
  return out;
}

export interface SaveOptions {
  /** Save even when a param holds NaN or ±∞ (default false: such a save is refused). */
  readonly allowNonFinite?: boolean;
  /** Save only the params this accepts (e.g. weights without optimizer state). */
  readonly keep?: (name: string) => boolean;
}

/** The first non-finite value among the tensors, as `name[index] = value`, or null. */
export function firstNonFinite(tensors: Readonly<Record<string, Tensor>>): string | null {
  for (const name of Object.keys(tensors).sort()) {
    const data = tensors[name]!.data;
    for (let i = 0; i < data.length; i++)
      if (!Number.isFinite(data[i]!)) return `'${name}'[${i}] = ${data[i]}`;
  }
  return null;
}

/**
 * Check that `tensors` hold every param of `graph` with the right shape; extra tensors (e.g. a
 * train checkpoint's optimizer state loaded into an eval model) are ignored.
 */
export function checkAgainst(tensors: Readonly<Record<string, Tensor>>, graph: Graph): void {
  for (const [name, p] of graph.params) {
    const t = tensors[name];
    if (!t) throw fail(`param '${name}' ${fmtShape(p.node.shape)} of the model is missing`);
    if (!sameShape(t.shape, p.node.shape)) {
      throw fail(
        `param '${name}' has shape ${fmtShape(t.shape)} in the checkpoint but ${fmtShape(p.node.shape)} in the model`,
      );
    }
  }
}

/**
 * Optimizer state among tensor names: the step count and bias corrections (`optimizer.*`) and
 * per-param moments and accumulators (`${p}.m`, `${p}.v`, `${p}.acc` for a param `p` in `names`).
 */
export function isOptimizerState(name: string, names: ReadonlySet<string>): boolean {
  if (name.startsWith('optimizer.')) return true;
  const m = /^(.*)\.(m|v|acc)$/.exec(name);
  return m !== null && names.has(m[1]!);
}

/** The model's weights: every param but optimizer state (batch-norm statistics included). */
export function weightNames(graph: Graph): string[] {
  const all = new Set(graph.params.keys());
  return [...all].filter((n) => !isOptimizerState(n, all));
}

export interface LoadReport {
  /** Weights of the model set from the file. */
  readonly loaded: readonly string[];
  /** Weights of the model the file lacks: they keep their current values. */
  readonly missing: readonly string[];
  /** Weights in the file the model lacks (optimizer state in the file is skipped, not listed). */
  readonly unexpected: readonly string[];
}

/**
 * Set the model's weights (never optimizer state) from `tensors`, PyTorch `strict=False` style
 * when `strict` is false: names only one side has are reported, not fatal (e.g. LoRA adapters a
 * pretrained file lacks). A shape mismatch is always an error; nothing is set before the checks.
 */
export function applyWeights(
  tensors: Readonly<Record<string, Tensor>>,
  exe: Pick<Executable, 'graph' | 'setParams'>,
  strict: boolean,
  source: string,
): LoadReport {
  const inFile = new Set(Object.keys(tensors));
  const model = weightNames(exe.graph);
  const loaded = model.filter((n) => inFile.has(n));
  const missing = model.filter((n) => !inFile.has(n));
  const modelSet = new Set(model);
  const unexpected = [...inFile].filter((n) => !modelSet.has(n) && !isOptimizerState(n, inFile));
  for (const n of loaded) {
    const want = exe.graph.params.get(n)!.node.shape;
    if (!sameShape(tensors[n]!.shape, want)) {
      throw fail(
        `param '${n}' has shape ${fmtShape(tensors[n]!.shape)} in ${source} but ${fmtShape(want)} in the model`,
      );
    }
  }
  if (strict && (missing.length > 0 || unexpected.length > 0)) {
    throw fail(
      `${source} does not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${unexpected.join(', ') || 'none'}); load with { strict: false } to skip them`,
    );
  }
  exe.setParams(Object.fromEntries(loaded.map((n) => [n, tensors[n]!.data])));
  return { loaded, missing, unexpected };
}

/** Set every optimizer-state param of the model from `tensors` (all must be there, same shape). */
export function applyOptimizerState(
  tensors: Readonly<Record<string, Tensor>>,
  exe: Pick<Executable, 'graph' | 'setParams'>,
  source: string,
): void {
  const weights = new Set(weightNames(exe.graph));
  const values: Record<string, Float32Array> = {};
  for (const [name, p] of exe.graph.params) {
    if (weights.has(name)) continue;
    const t = tensors[name];
    if (!t || !sameShape(t.shape, p.node.shape)) {
      throw fail(
        `optimizer state '${name}' ${fmtShape(p.node.shape)} is missing or differs in ${source}`,
      );
    }
    values[name] = t.data;
  }
  exe.setParams(values);
}
