// Sampling from a language model on the host: temperature and top-k over one row of logits, and
// a generation loop over a compiled decode step (see gptDecodeStep), one token per call.
import { GraphError } from '../ir/errors.ts';
import type { Executable } from '../runtime/executable.ts';

export interface SampleOptions {
  /** Softmax temperature; 0 picks the argmax (greedy). 1 by default. */
  readonly temperature?: number;
  /** Sample among the k most likely tokens only (all by default). */
  readonly topK?: number;
  /** Uniform [0, 1) source, e.g. mulberry32(seed). */
  readonly rand: () => number;
}

/** A token drawn from softmax(logits / temperature) restricted to the top k. */
export function sampleLogits(logits: ArrayLike<number>, opts: SampleOptions): number {
  const n = logits.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  const temp = opts.temperature ?? 1;
  if (temp === 0) return order[0]!;
  const keep = order.slice(0, Math.max(1, Math.min(n, opts.topK ?? n)));
  const top = logits[keep[0]!]!;
  const w = keep.map((i) => Math.exp((logits[i]! - top) / temp));
  let r = opts.rand() * w.reduce((s, v) => s + v, 0);
  for (let k = 0; k < keep.length; k++) {
    r -= w[k]!;
    if (r < 0) return keep[k]!;
  }
  return keep[keep.length - 1]!;
}

/**
 * Feed `prompt` through a decode-step executable (batch 1), then sample `count` tokens, each
 * fed back at the next position. Returns the new tokens. The caches are overwritten from
 * position 0, so one executable generates any number of sequences in turn.
 */
export async function generate(
  decode: Executable,
  prompt: readonly number[],
  count: number,
  opts: SampleOptions,
): Promise<number[]> {
  if (prompt.length === 0) throw new GraphError('input', 'generate: the prompt is empty');
  let logits: ArrayLike<number> | undefined;
  const out: number[] = [];
  let pos = 0;
  const feed = async (token: number) => {
    logits = (await decode.step({ token: [token], pos: [pos++] }))['logits'];
  };
  for (const t of prompt) await feed(t);
  for (let i = 0; i < count; i++) {
    const next = sampleLogits(logits!, opts);
    out.push(next);
    if (i < count - 1) await feed(next);
  }
  return out;
}
