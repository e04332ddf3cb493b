// Checkpoint files on disk (Node only): atomic saves and checked loads of the safetensors bytes
// that src/nn/checkpoint.ts encodes and decodes.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { GraphError } from '../ir/errors.ts';
import type { Executable } from '../runtime/executable.ts';
import {
  checkAgainst,
  decodeSafetensors,
  encodeSafetensors,
  firstNonFinite,
  modelTensors,
} from '../nn/checkpoint.ts';
import type { SaveOptions } from '../nn/checkpoint.ts';

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/**
 * Write every param to `path`: first to a temp file beside it, flushed, then renamed over `path`,
 * so a failed save leaves the previous checkpoint intact. A param holding NaN or ±∞ is refused
 * (a diverged run must not replace a good checkpoint) unless `allowNonFinite` is set.
 */
export async function saveCheckpoint(
  path: string,
  exe: Pick<Executable, 'graph' | 'params' | 'syncParams'>,
  metadata: Readonly<Record<string, string>> = {},
  opts: SaveOptions = {},
): Promise<void> {
  await exe.syncParams?.(); // WebGPU: the current values live on the device
  const tensors = modelTensors(exe);
  const bad = opts.allowNonFinite ? null : firstNonFinite(tensors);
  if (bad) {
    throw fail(
      `refusing to save '${path}': param ${bad} is not finite (pass allowNonFinite to save it anyway)`,
    );
  }
  const bytes = encodeSafetensors(tensors, metadata);
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
  const values = Object.create(null) as Record<string, Float32Array>; // param names are user text
  for (const name of exe.graph.params.keys()) values[name] = tensors[name]!.data;
  exe.setParams(values);
}
