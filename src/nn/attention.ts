// Multi-head self-attention: head split as reshape [B,T,H,dh] → permute [B,H,T,dh], scaled dot
// products q·kᵀ/√dh, a causal mask, a stable softmax (max-shifted, via logsumexp) and the
// weighted sum of values. With a KV cache, one new token per call attends to every cached one.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { opError } from '../ir/errors.ts';
import { zeros } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import type { LoraConfig } from './lora.ts';
import { loraDense } from './lora.ts';

/** Masked-out scores: far below any real score, finite so a row never turns NaN. */
const MASKED = -1e9;

/** [B, T, H·dh] → [B, H, T, dh]. */
export function splitHeads(x: Node, heads: number): Node {
  const [b, t, d] = x.shape as [number, number, number];
  return B.permute(B.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, dh] → [B, T, H·dh]. */
export function mergeHeads(x: Node): Node {
  const [b, h, t, dh] = x.shape as [number, number, number, number];
  return B.reshape(B.permute(x, [0, 2, 1, 3]), [b, t, h * dh]);
}

/** Bool [Tq, Tk]: query i (at position offset + i) may see key j ≤ offset + i. */
export function causalMask(x: Node, tq: number, tk: number, offset = 0): Node {
  const row = B.iota(x.graph, [tq, tk], 0, 'i32');
  const col = B.iota(x.graph, [tq, tk], 1, 'i32');
  return B.le(col, offset === 0 ? row : B.add(row, offset));
}

/**
 * softmax(q·kᵀ/√dh, masked) · v for q [..., Tq, dh], k and v [..., Tk, dh]; `mask` is a bool
 * broadcastable to [..., Tq, Tk], true where a query may attend.
 */
export function scaledDotProductAttention(q: Node, k: Node, v: Node, mask?: Node): Node {
  const dh = q.shape[q.rank - 1]!;
  let scores = B.mul(B.matmul(q, B.transpose(k)), 1 / Math.sqrt(dh)).named('attn.scores');
  if (mask) scores = B.where(mask, scores, MASKED);
  const p = C.softmax(scores, -1).named('attn.probs');
  return B.matmul(p, v);
}

export interface AttentionOptions {
  readonly name: string;
  readonly heads: number;
  /** Mask future positions (decoder self-attention); true by default. */
  readonly causal?: boolean;
  /** LoRA adapters on the named projections among q, k, v, o. */
  readonly lora?: LoraConfig & { readonly targets: readonly string[] };
  /** An incremental-decode cache: write this step's k, v at `pos` and attend to [0, pos]. */
  readonly cache?: { readonly pos: Node; readonly length: number };
}

/** Causal multi-head self-attention of x [B, T, D] with q, k, v, o projections `${name}.q` … */
export function multiHeadAttention(x: Node, opts: AttentionOptions): Node {
  const [, t, d] = x.shape as [number, number, number];
  const { name, heads } = opts;
  if (x.rank !== 3 || d % heads !== 0) {
    const why = `needs x [B, T, D] with D divisible by heads = ${heads}`;
    throw opError('shape', `multiHeadAttention '${name}'`, why, [x.shape], captureSite());
  }
  const proj = (input: Node, which: string) => {
    const lora = opts.lora?.targets.includes(which) ? opts.lora : undefined;
    return loraDense(input, d, `${name}.${which}`, lora);
  };
  return x.graph.scope(name, () => {
    const q = splitHeads(proj(x, 'q'), heads);
    let k = splitHeads(proj(x, 'k'), heads);
    let v = splitHeads(proj(x, 'v'), heads);
    let mask: Node | undefined;
    if (opts.cache) {
      k = cached(`${name}.cache_k`, k, opts.cache);
      v = cached(`${name}.cache_v`, v, opts.cache);
      mask = B.le(B.iota(x.graph, [1, opts.cache.length], 1, 'i32'), opts.cache.pos);
    } else if (opts.causal !== false) {
      mask = causalMask(x, t, t);
    }
    const out = mergeHeads(scaledDotProductAttention(q, k, v, mask));
    return proj(out, 'o');
  });
}

/**
 * The cache [B, H, length, dh] (a state param) with this step's one-token k/v written at row
 * `pos`; declared as the param's update, so the step writes it in place.
 */
function cached(name: string, kv: Node, cache: { readonly pos: Node; readonly length: number }) {
  const g = kv.graph;
  const [b, h, , dh] = kv.shape as [number, number, number, number];
  const store = g.param(name, [b, h, cache.length, dh], zeros, false);
  const at = B.eq(B.iota(g, [1, 1, cache.length, 1], 2, 'i32'), cache.pos);
  const next = B.where(at, kv, store);
  g.update(name, next);
  return next;
}
