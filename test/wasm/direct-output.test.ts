// Matmuls whose epilogue only stores the product write it straight into their output buffer (no
// accumulator block, no epilogue pass): chosen only when C's padded layout is the output's, and
// results match the TS kernels and the interpreter — batched head-split views, several K blocks,
// and shared across worker threads.
import { describe, expect, it } from 'vitest';
import { directOutput } from '../../codegen/wasm/matmul.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import type { Node } from '../../src/ir/node.ts';
import { emitTs } from '../../src/pipeline.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { mismatch } from '../codegen/harness.ts';

const wave = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));

const bits = (a: ArrayLike<number>) => new Uint32Array(Float32Array.from(a).buffer);

/** Graph of one output per case; feeds for its inputs. */
function cases() {
  const g = new Graph('direct');
  const feeds: Record<string, Float32Array> = {};
  const inp = (name: string, shape: number[]): Node => {
    const x = g.input(name, shape);
    feeds[name] = wave(x.size, 0.1 + Object.keys(feeds).length / 7);
    return x;
  };
  const head = (x: Node) => B.permute(B.reshape(x, [2, 8, 4, 16]), [0, 2, 1, 3]); // [2,4,8,16]
  const q = inp('q', [2, 8, 64]);
  const k = inp('k', [2, 8, 64]);
  // attention scores q·kᵀ per head, 8×8 each: direct (m 8, n 8)
  g.output('scores', B.matmul(head(q), B.transpose(head(k))));
  // several K blocks (K 600 > 512), 12×16: direct
  g.output('long_k', B.matmul(inp('a', [12, 600]), inp('b', [600, 16])));
  // 4M multiply-adds: split across worker threads when there are some
  g.output('split', B.matmul(inp('s', [256, 256]), inp('t', [256, 64])));
  // 10 rows (not a multiple of 4): through the accumulator block
  g.output('odd_rows', B.matmul(inp('c', [10, 32]), inp('d', [32, 16])));
  // a bias in the epilogue: through the accumulator block
  g.output('biased', B.add(B.matmul(inp('e', [16, 32]), inp('f', [32, 16])), 1));
  return { g, feeds };
}

describe('matmuls that write their output directly', () => {
  it('are exactly those that only store the product into a layout-equal buffer', async () => {
    const { program } = await emitTs(cases().g, { format: false, wasm: 'all' });
    const place = (buf: string) => {
      const b = program.buffers.find((x) => x.name === buf)!;
      return { at: 1024, size: b.size, dtype: b.dtype };
    };
    const mm = kernelsOf(program).filter((k): k is MatmulKernel => k.kind === 'matmul');
    const direct = mm.filter((k) => directOutput(k, place) !== null).map((k) => [k.m, k.n, k.k]);
    expect(direct).toEqual([
      [8, 8, 16],
      [12, 16, 600],
      [256, 64, 256],
    ]);
  });

  it('match the interpreter and the TS kernels; bitwise equal on 1 and 2 threads', async () => {
    const { g, feeds } = cases();
    const want = interpret(g, feeds).outputs;
    const exes = [
      await compile(g, { wasm: 'all' }),
      await compile(g, { wasm: 'all', threads: 2 }),
      await compile(g, { wasm: 'off' }),
    ];
    try {
      const [one, two, ts] = await Promise.all(exes.map((e) => e.run(feeds)));
      for (const name of g.outputs.keys()) {
        expect(mismatch(one![name]!, want[name]!), name).toBeNull();
        expect(mismatch(one![name]!, ts![name]!), name).toBeNull();
        expect(bits(two![name]!), name).toEqual(bits(one![name]!));
      }
    } finally {
      exes.forEach((e) => e.dispose());
    }
  });
});
