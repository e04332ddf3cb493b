// The optimization pipeline, in order, top to bottom. Run on graphs that will not be
// differentiated again (after grad): the first pass drops autodiff-only wrappers.
import type { Graph } from '../ir/graph.ts';
import { dce } from './dce.ts';
import { fold } from './fold.ts';
import type { Pass } from './rewrite.ts';
import { simplify } from './simplify.ts';
import { stripStopGradient } from './strip.ts';

/** The passes of one round, in the order they run. */
export const PIPELINE: readonly { readonly name: string; readonly run: Pass }[] = [
  { name: 'strip-stop-gradient', run: stripStopGradient },
  { name: 'fold', run: fold },
  { name: 'simplify', run: simplify },
  { name: 'dce', run: dce },
];

/** Rounds before giving up on a fixpoint (rules rarely enable each other across passes). */
const MAX_ROUNDS = 8;

export interface OptimizeOptions {
  /** Called after every pass (tests run verify here). */
  readonly afterPass?: (name: string, g: Graph) => void;
}

/**
 * Run the pipeline until a round changes nothing (bounded). A pass is skipped while the graph is
 * still its own output (less dead nodes): every rule is local and settles each node, so running
 * it again would only copy the graph (a full rebuild per pass, the bulk of this stage's cost).
 */
export function optimize(g: Graph, opts: OptimizeOptions = {}): Graph {
  let cur = g;
  let settled = new Set<string>(); // passes `cur` is already a fixpoint of
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const pass of PIPELINE) {
      if (settled.has(pass.name)) continue;
      const res = pass.run(cur);
      opts.afterPass?.(pass.name, res.graph);
      // dce reports change whenever an earlier pass left dead copies; that is not progress, and
      // removing dead nodes leaves every other pass's fixpoint intact.
      if (res.changed && pass.name !== 'dce') {
        changed = true;
        settled = new Set();
      }
      settled.add(pass.name);
      cur = res.graph;
    }
    if (!changed) break;
  }
  return cur;
}
