// max's gradient compares x with the stored max to find the arg-max. When x is a fused expression
// the two kernels must see the same float32 x: before, wasm's f32 lanes rounded (a·b)·c twice while
// the other kernel rounded it once, no element of a row matched its max, and the tie count was 0:
// NaN gradients (found by the differential fuzzer, seed 21126 with wasm 'all').
import { describe, expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { planFusion } from '../../src/schedule/fuse.ts';
import { optimize } from '../../src/passes/pipeline.ts';
import { mismatch } from '../codegen/harness.ts';

function graph(): { g: Graph; feeds: Record<string, Float32Array> } {
  const g = new Graph('max_mask');
  // As the fuzzer built it: a row scale and a column scale on a, fused into the max.
  const a = g.input('a', [256, 4]);
  const rows = B.broadcastTo(B.reshape(g.input('r', [256]), [256, 1]), [256, 4]);
  const x = B.mul(B.mul(a, rows), g.input('c', [4]));
  const m = B.max(x, [1]);
  const loss = B.sum(B.mul(m, g.input('w', [256])));
  g.output('loss', loss);
  grad(loss, [a]).forEach((d) => g.output('grad_a', d));
  const rnd = mulberry32(5);
  const feeds: Record<string, Float32Array> = {};
  for (const [k, n] of g.inputs)
    feeds[k] = Float32Array.from({ length: n.size }, () => rnd() * 2 - 1);
  return { g, feeds };
}

describe('the max gradient mask on every CPU path', () => {
  test('the compared x is stored once, for the max and the mask alike', () => {
    const plan = planFusion(optimize(graph().g));
    const stored = plan.decisions.filter(
      (d) => d.kind === 'buffer' && d.reason.startsWith('compared with its max'),
    );
    expect(stored.map((d) => d.node.op)).toEqual(['mul']);
  });

  for (const wasm of ['off', 'all'] as const) {
    test(`wasm ${wasm}: finite, one arg-max per row, as the interpreter`, async () => {
      const { g, feeds } = graph();
      const out = await (await compile(g, { wasm })).run(feeds);
      const d = out['grad_a']!;
      expect(d.every(Number.isFinite)).toBe(true);
      expect(mismatch(d, interpret(g, feeds).outputs['grad_a']!)).toBeNull();
    });
  }
});
