// Softmax and softmax cross-entropy in float32 near p ≈ 1 at large logits, on every target, against
// float64: computed as exp((x − max) − log Σ exp(x − max)), never exp(x − logsumexp), whose
// rounding of lse to float32 costs ~4e-6 relative at logits ≈ 90.
import { describe, expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';

const LOGITS = [90, 70.5, 60.25, 75, 88, 91.5, 30, 89.75];
const ROWS = 2;
const COLS = 4;

/** float64 softmax per row of the float32 logits. */
function reference(): number[] {
  const out: number[] = [];
  for (let r = 0; r < ROWS; r++) {
    const row = LOGITS.slice(r * COLS, (r + 1) * COLS).map(Math.fround);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

function graph() {
  const g = new Graph('softmax_accuracy');
  const x = g.input('x', [ROWS, COLS]);
  const labels = g.input('labels', [ROWS], 'i32');
  g.output('p', C.softmax(x));
  const ce = B.sum(C.softmaxCrossEntropy(x, C.oneHot(labels, COLS)));
  g.output('dx', grad(ce, [x])[0]!);
  return g;
}

const feeds = { x: Float32Array.from(LOGITS), labels: Int32Array.from([0, 2]) };
const adapter = await hasAdapter();

async function check(target: 'ts' | 'wgsl' | 'interp'): Promise<void> {
  const exe = await compile(graph(), { target });
  try {
    const out = await exe.run(feeds);
    const want = reference();
    const onehot = [1, 0, 0, 0, 0, 0, 1, 0];
    want.forEach((p, i) => {
      // Relative to p itself, the p ≈ 1 entries and the tiny ones alike. WGSL's exp may err by
      // 3 + 2|x| ulp (the spec's bound; lavapipe uses it), so tiny p get that much more room there.
      const tol = 3e-7 + (target === 'wgsl' ? 2 * Math.abs(Math.log(p)) * 2 ** -23 : 0);
      expect(Math.abs(out['p']![i]! - p) / p, `${target} p[${i}]`).toBeLessThan(tol);
      const d = p - onehot[i]!;
      expect(Math.abs(out['dx']![i]! - d), `${target} dx[${i}]`).toBeLessThan(tol * p);
    });
  } finally {
    exe.dispose();
  }
}

describe('softmax accuracy near p ≈ 1 at logits ≈ 90', () => {
  test('interpreter', () => check('interp'));
  test('TypeScript', () => check('ts'));
  test.skipIf(!adapter)('WGSL', () => check('wgsl'));
});
