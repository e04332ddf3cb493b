// Every view layout as a matmul operand, compiled on TS and WGSL against the interpreter: head
// split permutes, transposes, partial batch broadcasts (multi-query K/V), slices, reshapes of
// those, and the gradients through them; on TS, WGSL and the wasm SIMD kernels. Every strided
// view is read in place (per-batch-axis strides), so none of these is copied.
import { expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { emitTs } from '../../src/pipeline.ts';
import { planFusion } from '../../src/schedule/fuse.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { testOnTargets } from '../examples/targets.ts';

const seq = (n: number, k: number) =>
  Float32Array.from({ length: n }, (_, i) => ((i * k) % 23) / 11 - 1);

/** Inputs named by shape, and one output per layout (each a matmul of views). */
function layouts(): { g: Graph; feeds: Record<string, Float32Array> } {
  const g = new Graph('views');
  const feeds: Record<string, Float32Array> = {};
  const inp = (name: string, shape: number[]): Node => {
    const x = g.input(name, shape);
    feeds[name] = seq(x.size, Object.keys(feeds).length * 7 + 5);
    return x;
  };
  const x = inp('x', [2, 3, 4, 5]);
  const y = inp('y', [2, 4, 5, 6]);
  const a = inp('a', [2, 1, 3, 4]);
  const b = inp('b', [2, 3, 4, 2]);
  const c = inp('c', [2, 3, 3, 4]);
  const d = inp('d', [3, 4, 2]);
  const q = inp('q', [2, 4, 3, 5]); // [B,H,T,dh]
  const k = inp('k', [2, 1, 3, 5]); // multi-query: one K/V head
  const v = inp('v', [2, 1, 3, 5]);
  const t = inp('t', [2, 3, 2, 5]); // [B,T,H,dh] after a head split
  const head = (n: Node) => B.permute(n, [0, 2, 1, 3]);
  const tr = (n: Node) => B.permute(n, [0, 1, 3, 2]);
  g.output('head_split', B.matmul(head(x), y));
  g.output('partial_broadcast', B.matmul(a, b));
  g.output('rank3_right', B.matmul(c, d));
  const scores = B.matmul(q, tr(k));
  g.output('mqa_scores', scores);
  g.output('mqa_values', B.matmul(scores, v));
  g.output('qk_heads', B.matmul(head(t), tr(head(t))));
  g.output('batch_transpose', B.matmul(B.permute(y, [1, 0, 2, 3]), B.permute(y, [1, 0, 3, 2])));
  const sl = B.slice(x, [
    [0, 2],
    [0, 3, 2],
    [1, 4],
    [0, 5],
  ]); // [2,2,3,5]: a strided batch
  g.output('slice_batch', B.matmul(sl, tr(sl)));
  g.output(
    'reshape_merge_heads',
    B.matmul(B.reshape(head(t), [6, 2, 5]), B.reshape(tr(head(t)), [6, 5, 2])),
  );
  const e = B.reshape(d, [6, 4]);
  g.output(
    'broadcast_transposed',
    B.matmul(B.broadcastTo(B.transpose(e), [2, 4, 6]), B.reshape(b, [2, 6, 4])),
  );
  return { g, feeds };
}

function worst(got: ArrayLike<number>, want: Float64Array | Float32Array): number {
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  }
  return got.length === want.length ? err : Infinity;
}

async function againstInterpreter(
  g: Graph,
  feeds: Record<string, Float32Array>,
  target: 'ts' | 'wgsl',
  wasm: 'auto' | 'all' = 'auto',
) {
  const want = interpret(g, feeds).outputs;
  const exe = await compile(g, { target, wasm });
  try {
    const got = await exe.run(feeds);
    for (const name of g.outputs.keys()) {
      const what = `${name} on ${target}, wasm ${wasm}`;
      expect(worst(got[name]!, want[name]!), what).toBeLessThan(1e-5);
    }
  } finally {
    exe.dispose();
  }
}

testOnTargets('every view layout as a matmul operand matches the interpreter', async (target) => {
  const { g, feeds } = layouts();
  await againstInterpreter(g, feeds, target);
});

/** The layouts with one output per input gradient of the sum of squares of every output. */
function withGradients(): { g: Graph; feeds: Record<string, Float32Array> } {
  const { g, feeds } = layouts();
  const outs = [...g.outputs.values()];
  const loss = outs.map((o) => B.sum(B.square(o))).reduce((s, l) => B.add(s, l));
  const names = ['x', 'y', 'a', 'b', 'c', 'd', 'q', 'k', 'v', 't'];
  const gs = grad(
    loss,
    names.map((n) => g.inputs.get(n)!),
  );
  names.forEach((n, i) => g.output(`d_${n}`, gs[i]!));
  return { g, feeds };
}

testOnTargets(
  'gradients through head-split and broadcast operands match the interpreter',
  async (target) => {
    const { g, feeds } = withGradients();
    await againstInterpreter(g, feeds, target);
  },
);

test('every view layout and its gradients in the wasm SIMD matmul match the interpreter', async () => {
  const { g, feeds } = withGradients();
  const { program } = await emitTs(g, { format: false });
  const wasm = renderWasm(program, 'all')!;
  const matmuls = kernelsOf(program).filter((k) => k.kind === 'matmul');
  // Several operands are read through two batch axes or a stride-0 one, all of them in wasm.
  expect(matmuls.some((k) => [k.a, k.b].some((v) => v.batch.length === 2))).toBe(true);
  expect(matmuls.some((k) => [k.a, k.b].some((v) => v.batch.some((x) => x.stride === 0)))).toBe(
    true,
  );
  for (const k of matmuls) expect(wasm.kernels.has(k.name)).toBe(true);
  await againstInterpreter(g, feeds, 'ts', 'all');
});

test('strided views are read in place, a view of a computed value buffers the value', () => {
  const g = new Graph('plan');
  const x = g.input('x', [2, 3, 4, 5]);
  const y = g.input('y', [2, 4, 5, 6]);
  const k = g.input('k', [2, 4, 7, 6]);
  g.output('in_place', B.matmul(y, B.permute(k, [0, 1, 3, 2]))); // transpose
  g.output('shared', B.matmul(y, g.input('w', [6, 3]))); // batch broadcast of a 2-D operand
  const notes = () => planFusion(g).notes.filter((n) => /matmul|epilogue/.test(n));
  expect(notes()).toEqual([]);
  g.output('head_split', B.matmul(B.permute(x, [0, 2, 1, 3]).named('heads'), y));
  const kv = B.broadcastTo(g.input('kv', [2, 1, 6, 5]), [2, 4, 6, 5]); // multi-query K
  g.output('mqa', B.matmul(y, kv));
  expect(notes()).toEqual([]);
  // x·W + b split into heads: the sum gets the buffer (the matmul's epilogue), not the view.
  const hw = B.matmul(g.input('h', [6, 8]), g.input('W', [8, 10])).named('hW');
  const z = B.add(hw, 1).named('z');
  const heads = B.permute(B.reshape(z, [3, 2, 2, 5]), [1, 2, 0, 3]).named('z_heads');
  g.output('computed', B.matmul(heads, B.transpose(heads)));
  expect(notes()).toEqual([
    'buffer for z: a matmul reads z_heads as a strided view of it',
    'epilogue: hW → z in one kernel',
  ]);
  g.output(
    'padded',
    B.matmul(
      B.pad(y, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 1],
      ]).named('p'),
      k,
    ),
  );
  expect(notes()).toContain('buffer for p: matmul operand is not a strided view');
});
