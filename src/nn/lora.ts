// LoRA (low-rank adaptation): a frozen projection x·W + b plus a trainable low-rank update
// (α/r)·(x·A)·B. B starts at zero, so the adapted model equals the base model at step 0; after
// fine-tuning, `mergeLora` folds W + (α/r)·A·B into the base weights for export.
import * as B from '../builder/ops.ts';
import { GraphError } from '../ir/errors.ts';
import { uniform, zeros } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import type { DenseOptions } from './layers.ts';
import { dense } from './layers.ts';

export interface LoraConfig {
  /** Rank r of the update A [in, r] · B [r, out]. */
  readonly rank: number;
  /** Scaling α: the update is multiplied by α/r. */
  readonly alpha: number;
}

/**
 * dense(x, units) with, when `lora` is given, the adapter `${name}.lora_A` [in, r] (uniform
 * ±1/√in, as PEFT's Kaiming init) and `${name}.lora_B` [r, units] (zeros) added to its output.
 */
export function loraDense(
  x: Node,
  units: number,
  name: string,
  lora: LoraConfig | undefined,
  opts: Omit<DenseOptions, 'name' | 'activation'> = {},
): Node {
  const y = dense(x, units, { ...opts, name });
  if (!lora) return y;
  if (!(lora.rank >= 1 && Number.isInteger(lora.rank))) {
    throw new GraphError(
      'attr',
      `lora '${name}': rank must be a positive integer, got ${lora.rank}`,
    );
  }
  const g = x.graph;
  const fanIn = x.shape[x.rank - 1]!;
  return g.scope(`${name}.lora`, () => {
    const bound = 1 / Math.sqrt(fanIn);
    const A = g.param(`${name}.lora_A`, [fanIn, lora.rank], uniform(-bound, bound));
    const Bm = g.param(`${name}.lora_B`, [lora.rank, units], zeros);
    const delta = B.matmul(B.matmul(x, A), Bm);
    return B.add(y, B.mul(delta, lora.alpha / lora.rank)).named(`${name}.adapted`);
  });
}

/** True for the adapter params loraDense creates. */
export const isLoraParam = (name: string): boolean => /\.lora_[AB]$/.test(name);

/**
 * The params with every adapter merged into its base weight, W ← W + (α/r)·A·B, and the
 * adapters dropped: what a model without LoRA loads to compute the same function.
 */
export function mergeLora(
  params: Readonly<Record<string, Float32Array>>,
  alpha: number,
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(params)) if (!isLoraParam(name)) out[name] = v.slice();
  for (const name of Object.keys(params)) {
    if (!name.endsWith('.lora_A')) continue;
    const base = name.slice(0, -'.lora_A'.length);
    const [A, Bm, W] = [params[name]!, params[`${base}.lora_B`], out[`${base}.W`]];
    if (!Bm || !W) throw new GraphError('param', `mergeLora: '${base}' lacks its lora_B or W`);
    mergeInto(W, A, Bm, alpha);
  }
  return out;
}

/** W [in, out] += (α/r)·A [in, r]·B [r, out], r from the sizes. */
function mergeInto(W: Float32Array, A: Float32Array, Bm: Float32Array, alpha: number): void {
  // in·r = |A|, r·out = |B|, in·out = |W|  ⇒  r² = |A|·|B| / |W|
  const r = Math.round(Math.sqrt((A.length * Bm.length) / W.length));
  const [fanIn, units] = [A.length / r, Bm.length / r];
  const scale = alpha / r;
  for (let i = 0; i < fanIn; i++) {
    for (let j = 0; j < units; j++) {
      let s = 0;
      for (let p = 0; p < r; p++) s += A[i * r + p]! * Bm[p * units + j]!;
      W[i * units + j] = W[i * units + j]! + scale * s;
    }
  }
}
