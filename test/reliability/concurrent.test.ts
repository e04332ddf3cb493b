// Silent wrong results: two step() calls in flight on one WGSL executable with plain-array
// inputs (converted through one reused buffer per input) must each train on their own batch.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';

const adapter = await hasAdapter();
if (!adapter) console.warn('\n*** reliability/concurrent: SKIPPED (no WebGPU adapter) ***\n');

/** w ← w + x: after steps on batches a and b, w = a + b exactly; y reports x as seen. */
function accumulate(): Graph {
  const g = new Graph('acc');
  const x = g.input('x', [4]);
  const w = g.param('w', [4], zeros);
  g.output('seen', x.mul(1));
  g.update('w', w.add(x));
  return g;
}

describe.skipIf(!adapter)('concurrent WGSL steps', () => {
  it('two steps in flight with number[] inputs each use their own batch', async () => {
    for (const target of ['wgsl', 'ts'] as const) {
      const exe = await compile(accumulate(), { target });
      const [a, b] = await Promise.all([
        exe.step({ x: [1, 2, 3, 4] }),
        exe.step({ x: [10, 20, 30, 40] }),
      ]);
      expect([...a['seen']!], target).toEqual([1, 2, 3, 4]);
      expect([...b['seen']!], target).toEqual([10, 20, 30, 40]);
      await exe.syncParams?.();
      expect([...exe.params['w']!], target).toEqual([11, 22, 33, 44]);
      exe.dispose();
    }
  });
});
