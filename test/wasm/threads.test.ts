// Matmuls shared by worker threads (compile option `threads`): each thread takes a share of the B
// panels, so every element is summed in the same order as on one thread — results are bitwise
// equal to the single-threaded module, and within float32 tolerance of the interpreter, on
// shapes that split unevenly (a partial last panel, fewer panels than threads) and on the
// transposed operands of the backward pass.
import { describe, expect, it, vi } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { emitTs } from '../../src/pipeline.ts';
import { importTs } from '../support/import-ts.ts';
import type { Feeds } from '../../src/runtime/executable.ts';
import { diffAgainstInterp } from '../codegen/harness.ts';
import { reluAdamStep } from '../codegen/models.ts';
import { typecheckModules } from '../codegen/typecheck.ts';

/** 64 × 300 → 257 (33 panels, the last partial) → 10: the forward x·W1 and xᵀ·δ1 are split. */
const BATCH = 64;
const SIZES = [300, 257, 10] as const;

function feeds(k: number): Feeds {
  return {
    x: Float32Array.from({ length: BATCH * SIZES[0] }, (_, i) => Math.sin(i * 0.37 + k)),
    labels: Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + k) % 10),
    t: Float32Array.of(k + 1),
  };
}

const bits = (a: ArrayLike<number>) => new Uint32Array(Float32Array.from(a).buffer);

describe('matmuls on worker threads', () => {
  it('split the large matmuls of an Adam step, in a strictly typed module', async () => {
    const { source } = await emitTs(reluAdamStep(BATCH, SIZES).g, { threads: 2 });
    expect(typecheckModules({ threaded: source })).toEqual([]);
    const split = /split: \[([^\]]*)\]/.exec(source)?.[1] ?? ''; // THREAD_PLAN's split list
    const names = split.match(/'[^']+'/g)?.map((s) => s.slice(1, -1)) ?? [];
    expect(names.length).toBe(2); // x·W1 and xᵀ·δ1; the 10-wide ones stay whole
    // The split kernels are this thread's coordinators (JavaScript), not the wasm exports.
    const mod = (await importTs(source)) as unknown as {
      createWorkspace(): { wasm: Record<string, () => void>; dispose(): void; threads(): number };
    };
    const ws = mod.createWorkspace();
    for (const k of names) expect(String(ws.wasm[k])).not.toContain('[native code]');
    await vi.waitFor(() => expect(ws.threads()).toBe(2), { timeout: 20_000 }); // the worker started
    ws.dispose();
  });

  it('train bitwise like one thread, and like the interpreter', async () => {
    const g = reluAdamStep(BATCH, SIZES).g;
    const [one, two] = await Promise.all([compile(g), compile(g, { threads: 2 })]);
    for (let k = 0; k < 3; k++) {
      const [a, b] = [await one.step(feeds(k)), await two.step(feeds(k))];
      expect(bits(b['loss']!)).toEqual(bits(a['loss']!));
    }
    for (const p of Object.keys(one.params))
      expect(bits(two.params[p]!), p).toEqual(bits(one.params[p]!));
    one.dispose();
    two.dispose();
    expect(await diffAgainstInterp(g, feeds, 2, { threads: 3 })).toBeNull();
  });

  it('split a matmul with fewer column panels than threads, and a transposed A', async () => {
    const g = new Graph('narrow');
    const a = g.input('a', [901, 1003]); // read transposed: 1003 × 901
    const b = g.param('b', [901, 5], init.normal(0.5));
    g.output('c', B.relu(B.matmul(B.transpose(a), b)));
    const input = { a: Float32Array.from({ length: 901 * 1003 }, (_, i) => Math.cos(i * 0.01)) };
    const [one, four] = await Promise.all([compile(g), compile(g, { threads: 4 })]);
    const [x, y] = [await one.run(input), await four.run(input)];
    expect(bits(y['c']!)).toEqual(bits(x['c']!));
    expect(x['c']!.some((v) => v > 0)).toBe(true);
    one.dispose();
    four.dispose();
  });
});
