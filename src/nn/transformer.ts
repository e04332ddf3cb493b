// A decoder-only Transformer (GPT): token + position embeddings, pre-LayerNorm blocks
// x + attn(ln1(x)), x + mlp(ln2(x)) with a GELU MLP, a final LayerNorm and the vocabulary head
// (optionally tied to the token table). The same builder gives the training forward pass and
// the one-token decode step whose KV cache lives in state params updated in place.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { opError } from '../ir/errors.ts';
import { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import { multiHeadAttention } from './attention.ts';
import { embedding } from './layers.ts';
import type { LoraConfig } from './lora.ts';
import { loraDense } from './lora.ts';
import { layerNorm } from './norm.ts';

export interface GptConfig {
  readonly vocab: number;
  /** Longest sequence (rows of the position table, and the KV cache length). */
  readonly context: number;
  readonly dModel: number;
  readonly heads: number;
  readonly layers: number;
  /** Hidden width of the MLP as a multiple of dModel; 4 by default. */
  readonly mlpRatio?: number;
  /** Logits from the token table (x·Eᵀ) instead of a separate head. */
  readonly tieWeights?: boolean;
  /** LoRA adapters on the named projections: q, k, v, o (attention), fc, proj (MLP). */
  readonly lora?: LoraConfig & { readonly targets: readonly string[] };
}

/** Where a decode step writes: the token's position and the cache length. */
interface Cache {
  readonly pos: Node;
  readonly length: number;
}

/** Pre-LN block `h${i}`: x + attn(ln1(x)), then x + mlp(ln2(x)). */
export function transformerBlock(x: Node, cfg: GptConfig, i: number, cache?: Cache): Node {
  const name = `h${i}`;
  const d = cfg.dModel;
  const lora = (which: string) => (cfg.lora?.targets.includes(which) ? cfg.lora : undefined);
  return x.graph.scope(name, () => {
    const a = multiHeadAttention(layerNorm(x, { name: `${name}.ln1` }), {
      name: `${name}.attn`,
      heads: cfg.heads,
      lora: cfg.lora,
      cache,
    });
    const x1 = B.add(x, a).named(`${name}.res1`);
    const hidden = d * (cfg.mlpRatio ?? 4);
    const u = loraDense(
      layerNorm(x1, { name: `${name}.ln2` }),
      hidden,
      `${name}.mlp.fc`,
      lora('fc'),
    );
    const m = loraDense(C.gelu(u), d, `${name}.mlp.proj`, lora('proj'));
    return B.add(x1, m).named(`${name}.res2`);
  });
}

function checkConfig(ids: Node, cfg: GptConfig, t: number): void {
  const bad =
    ids.dtype !== 'i32'
      ? `ids must be i32, got ${ids.dtype}`
      : ids.rank !== 2
        ? 'needs ids [B, T]'
        : t > cfg.context
          ? `T = ${t} exceeds the context ${cfg.context}`
          : cfg.dModel % cfg.heads !== 0
            ? `dModel ${cfg.dModel} is not divisible by heads ${cfg.heads}`
            : null;
  if (bad) throw opError('shape', 'gpt', bad, [ids.shape], captureSite());
}

/** Token + position embeddings, the blocks, the final LayerNorm and the head: logits [B, T, V]. */
function gptCore(ids: Node, cfg: GptConfig, positions: Node, cache?: Cache): Node {
  const g = ids.graph;
  const tok = embedding(ids, cfg.vocab, cfg.dModel, { name: 'wte' });
  const pos = embedding(positions, cfg.context, cfg.dModel, { name: 'wpe' });
  let h = B.add(tok, pos).named('embed');
  for (let i = 0; i < cfg.layers; i++) h = transformerBlock(h, cfg, i, cache);
  h = layerNorm(h, { name: 'ln_f' });
  if (cfg.tieWeights) {
    const table = g.params.get('wte.E')!.node;
    return B.matmul(h, B.transpose(table)).named('logits');
  }
  return loraDense(h, cfg.vocab, 'head', undefined, { bias: false }).named('logits');
}

/** The GPT forward pass: ids [B, T] (i32) → logits [B, T, vocab]. */
export function gpt(ids: Node, cfg: GptConfig): Node {
  const t = ids.shape[1]!;
  checkConfig(ids, cfg, t);
  return gptCore(ids, cfg, B.iota(ids.graph, [t], 0, 'i32'), undefined);
}

/**
 * One incremental decode step: inputs `token` [batch, 1] (i32) and `pos` (i32 scalar), output
 * `logits` [batch, vocab] for the next token. Every attention layer keeps K and V of the
 * positions so far in `h${i}.attn.cache_k`/`cache_v` [batch, H, context, dh], state params the
 * step writes in place at row `pos`: a call costs O(context), the prefix is never recomputed.
 * Param names match `gpt`'s, so a trained model's weights load directly.
 */
export function gptDecodeStep(cfg: GptConfig, batch: number, name = 'gpt_decode'): Graph {
  const g = new Graph(name);
  const token = g.input('token', [batch, 1], 'i32');
  const pos = g.input('pos', [], 'i32');
  checkConfig(token, cfg, 1);
  const logits = gptCore(token, cfg, B.reshape(pos, [1]), { pos, length: cfg.context });
  g.output('logits', B.reshape(logits, [batch, cfg.vocab]));
  return g;
}
