// Checkpoint semantics over safetensors bytes (format in safetensors.ts): which tensors a model
// saves, and checking a file's tensors against a model. File I/O lives in src/node/checkpoint.ts.
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import type { Executable } from '../runtime/executable.ts';
import type { Tensor } from './safetensors.ts';

export { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/** Every param of the model (trainable and state), with its shape. */
export function modelTensors(exe: Pick<Executable, 'graph' | 'params'>): Record<string, Tensor> {
  const out = Object.create(null) as Record<string, Tensor>; // param names are user text
  for (const [name, p] of exe.graph.params)
    out[name] = { shape: p.node.shape, data: exe.params[name]! };
  return out;
}

export interface SaveOptions {
  /** Save even when a param holds NaN or ±∞ (default false: such a save is refused). */
  readonly allowNonFinite?: boolean;
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
