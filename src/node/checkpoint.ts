// Checkpoint files on disk (Node only): atomic saves and checked loads of the safetensors bytes
// that src/nn/checkpoint.ts encodes and decodes.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { GraphError } from '../ir/errors.ts';
import type { Executable } from '../runtime/executable.ts';
import type { LoadReport, Tensor } from '../nn/checkpoint.ts';
import {
  applyOptimizerState,
  applyWeights,
  checkAgainst,
  decodeSafetensors,
  encodeSafetensors,
  firstNonFinite,
  modelTensors,
  weightNames,
} from '../nn/checkpoint.ts';
import type { SaveOptions } from '../nn/checkpoint.ts';

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/**
 * Write every param (or those `opts.keep` accepts) to `path`: first to a temp file beside it, flushed, then renamed over `path`,
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
  const tensors = modelTensors(exe, opts.keep);
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

async function readTensors(path: string): Promise<Record<string, Tensor>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fail(`could not read '${path}' (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    // The format's errors say what is wrong; this says in which file.
    if (!(e instanceof GraphError)) throw e;
    throw fail(`'${path}': ${e.message.replace(/^checkpoint: /, '')}`);
  }
}

/** Read `path` and set the model's params from it, after checking every name and shape. */
export async function loadCheckpoint(
  path: string,
  exe: Pick<Executable, 'graph' | 'setParams'>,
): Promise<void> {
  const tensors = await readTensors(path);
  checkAgainst(tensors, exe.graph);
  const values = Object.create(null) as Record<string, Float32Array>; // param names are user text
  for (const name of exe.graph.params.keys()) values[name] = tensors[name]!.data;
  exe.setParams(values);
}

/** Save the weights only (no optimizer state): what a fine-tuning run starts from. */
export async function saveWeights(
  path: string,
  exe: Pick<Executable, 'graph' | 'params' | 'syncParams'>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const weights = new Set(weightNames(exe.graph));
  await saveCheckpoint(path, exe, metadata, { keep: (n) => weights.has(n) });
}

/**
 * Load weights only (never optimizer state) from `path`; with `{ strict: false }` names only one
 * side has are reported (PyTorch's `strict=False`), not fatal. See `applyWeights`.
 */
export async function loadWeights(
  path: string,
  exe: Pick<Executable, 'graph' | 'setParams'>,
  opts: { readonly strict?: boolean } = {},
): Promise<LoadReport> {
  return applyWeights(await readTensors(path), exe, opts.strict !== false, `'${path}'`);
}

/** Save the optimizer state only, to resume the same run (see `loadOptimizerState`). */
export async function saveOptimizerState(
  path: string,
  exe: Pick<Executable, 'graph' | 'params' | 'syncParams'>,
): Promise<void> {
  const weights = new Set(weightNames(exe.graph));
  await saveCheckpoint(path, exe, {}, { keep: (n) => !weights.has(n) });
}

/** Restore optimizer state saved by `saveOptimizerState`; every state tensor must match. */
export async function loadOptimizerState(
  path: string,
  exe: Pick<Executable, 'graph' | 'setParams'>,
): Promise<void> {
  applyOptimizerState(await readTensors(path), exe, `'${path}'`);
}
