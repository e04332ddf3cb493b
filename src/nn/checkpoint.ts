// Checkpoints in the safetensors format (see safetensors.ts). Saves are atomic (temp file +
// rename); loads check every param's name and shape against the model first.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { GraphError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { fmtShape, sameShape } from '../ir/shape.ts';
import type { Executable } from '../runtime/executable.ts';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';

export { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/** Every param of the model (trainable and state), with its shape. */
function modelTensors(exe: Pick<Executable, 'graph' | 'params'>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, p] of exe.graph.params)
    out[name] = { shape: p.node.shape, data: exe.params[name]! };
  return out;
}

/**
 * Write every param to `path`: first to a temp file beside it, flushed, then renamed over `path`,
 * so a failed save leaves the previous checkpoint intact.
 */
export async function saveCheckpoint(
  path: string,
  exe: Pick<Executable, 'graph' | 'params' | 'syncParams'>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await exe.syncParams?.(); // WebGPU: the current values live on the device
  const bytes = encodeSafetensors(modelTensors(exe), metadata);
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const why = e instanceof Error ? e.message : String(e);
    throw fail(`could not save '${path}' (${why}); any previous file there is unchanged`);
  }
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

/** Read `path` and set the model's params from it, after checking every name and shape. */
export async function loadCheckpoint(
  path: string,
  exe: Pick<Executable, 'graph' | 'setParams'>,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fail(`could not read '${path}' (${e instanceof Error ? e.message : String(e)})`);
  }
  const tensors = decodeSafetensors(bytes);
  checkAgainst(tensors, exe.graph);
  const values: Record<string, Float32Array> = {};
  for (const name of exe.graph.params.keys()) values[name] = tensors[name]!.data;
  exe.setParams(values);
}
