// Long elementwise maps in f32x4 (Adam-style updates, ReLU, selects on comparisons, scalars
// broadcast): the vector loop plus its scalar tail against the interpreter and the TS kernels.
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { vectorRefusal } from '../../codegen/wasm/vector.ts';
import { runsInWasm } from '../../codegen/wasm/module.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { diffAgainstInterp, mismatch } from '../codegen/harness.ts';
import { reluAdamStep } from '../codegen/models.ts';

/** One fused map over [r, c] using every f32x4 operation the vector path supports. */
function mapGraph(r: number, c: number): Graph {
  const g = new Graph('vec');
  const [x, y] = [g.input('x', [r, c]), g.input('y', [r, c])];
  const s = g.input('s', []);
  const picked = B.where(
    B.gt(x, y),
    B.div(B.sqrt(B.abs(x)), B.add(B.mul(y, y), 1)),
    B.mul(B.neg(B.relu(x)), s),
  );
  const more = B.sub(
    B.add(B.maximum(x, y), B.minimum(x, 0.5)),
    B.reciprocal(B.add(B.mul(y, y), 2)),
  );
  g.output('z', B.add(picked, more));
  return g;
}

const feeds = (r: number, c: number) => () => ({
  x: Float32Array.from({ length: r * c }, (_, i) => Math.sin(i * 0.7) * 3),
  y: Float32Array.from({ length: r * c }, (_, i) => Math.cos(i * 1.3) * 2),
  s: [1.5],
});

describe('f32x4 maps', () => {
  it('take the vector path (nothing refused) for the supported operations', async () => {
    const { program } = await emitTs(mapGraph(37, 53), { format: false });
    const maps = kernelsOf(program).filter((k) => k.kind === 'map');
    expect(maps).toHaveLength(1);
    const dtype = (b: string) => program.buffers.find((x) => x.name === b)!.dtype;
    expect(vectorRefusal(maps[0] as never, dtype)).toBeNull();
  });

  for (const [r, c] of [
    [37, 53], // 1961 elements: 490 vectors and a tail of 1
    [131, 127], // above the auto threshold, tail of 1
    [3, 1], // tail only
  ] as const) {
    it(`${r}×${c}: match the interpreter and the TS kernel`, async () => {
      const g = mapGraph(r, c);
      expect(await diffAgainstInterp(g, feeds(r, c), 1, { wasm: 'all' })).toBeNull();
      const [w, t] = await Promise.all([compile(g, { wasm: 'all' }), compile(g, { wasm: 'off' })]);
      const [a, b] = await Promise.all([w.run(feeds(r, c)()), t.run(feeds(r, c)())]);
      expect(mismatch(a['z']!, b['z']!)).toBeNull();
    });
  }

  it('the Adam updates of a wide layer run as vector maps, and train like the TS kernels', async () => {
    const { g } = reluAdamStep(16, [130, 129, 5]);
    const { program } = await emitTs(g, { format: false });
    const dtype = (b: string) => program.buffers.find((x) => x.name === b)!.dtype;
    const vec = kernelsOf(program).filter(
      (k) => k.kind === 'map' && runsInWasm(k, 'auto') && vectorRefusal(k, dtype) === null,
    );
    expect(vec.length).toBeGreaterThanOrEqual(1); // the 130×129 moment and weight update
    const batch = (k: number) => ({
      x: Float32Array.from({ length: 16 * 130 }, (_, i) => Math.sin(i + k)),
      labels: Int32Array.from({ length: 16 }, (_, i) => (i + k) % 5),
      t: [k + 1],
    });
    expect(await diffAgainstInterp(g, batch, 3, { wasm: 'auto' })).toBeNull();
  });
});
