// A training module's `run` is forward-only by construction (src/pipeline.ts runEntry): fusion
// keeps the kernels of the forward outputs' nodes out of every loop that does other work, and
// the run's steps are the kernels of those nodes, which may read and write nothing else — a
// step that would touch a gradient, an optimizer state or a param fails the compile.
import { describe, expect, test } from 'vitest';
import { runOutputs } from '../../src/autodiff/forward-only.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';
import { topo } from '../../src/ir/traverse.ts';
import { optimize } from '../../src/passes/pipeline.ts';
import { emitTs, emitWgsl } from '../../src/pipeline.ts';
import { evalSteps } from '../../src/schedule/eval-steps.ts';
import { planFusion } from '../../src/schedule/fuse.ts';
import type { Step } from '../../src/schedule/kernel.ts';
import { readsOf, writesOf } from '../../src/schedule/walk.ts';
import { tinyLm } from '../support/tiny-lm.ts';

/** pred = exp(x·w); a state param s keeps a running sum of pred (an update, not run's work). */
function runningSum(): Graph {
  const g = new Graph('running_sum');
  const x = g.input('x', [8]);
  const w = g.param('w', [8], zeros);
  const s = g.param('s', [8], zeros, false);
  const pred = g.output('pred', x.mul(w).exp());
  g.update('s', s.add(pred));
  return g;
}

const kernelsIn = (steps: readonly Step[]) =>
  steps.flatMap((s) => (s.kind === 'kernel' ? [s.kernel] : []));
const writtenBy = (steps: readonly Step[]) => kernelsIn(steps).flatMap((k) => [...writesOf(k)]);

describe("a training module's run is forward-only by construction", () => {
  test('fusion would put the update in the forward loop; for a training graph it does not', () => {
    const graph = optimize(runningSum());
    // Without the rule the update joins pred's loop (a sibling of the same shape)...
    expect(planFusion(graph).kernels.map((k) => k.length)).toEqual([2]);
    // ...with run's nodes kept apart they are two loops.
    const forward = new Set(topo([graph.outputs.get('pred')!]));
    expect(planFusion(graph, forward).kernels.map((k) => k.length)).toEqual([1, 1]);
  });

  test.each(['ts', 'wgsl'] as const)(
    '%s: run executes the forward kernel alone, the step both',
    async (target) => {
      const g = runningSum();
      const res =
        target === 'ts'
          ? await emitTs(g, { format: false, lang: 'js', wasm: 'off' })
          : await emitWgsl(g, { format: false });
      expect(kernelsIn(res.program.steps)).toHaveLength(2);
      expect(writtenBy(res.program.steps)).toContain('s'); // the update, in place
      expect(res.run!.outputs).toEqual(['pred']);
      expect(writtenBy(res.run!.steps)).toEqual(['pred']);
    },
  );

  test('a run step that would read or write anything but forward values fails the compile', async () => {
    const g = tinyLm();
    const res = await emitTs(g, { format: false, lang: 'js', wasm: 'off' });
    const p = res.program;
    const outputs = new Set(runOutputs(g).keys());
    const run = (own: Iterable<string>) => evalSteps(p, outputs, new Set(own));
    // The buffers the pipeline's run writes give back the same steps.
    const own = writtenBy(res.run!.steps);
    const names = (steps: readonly Step[]) => kernelsIn(steps).map((k) => k.name);
    expect(names(run(own).steps)).toEqual(names(res.run!.steps));
    // Claiming a backward kernel's buffer for run pulls that kernel in: it reads a gradient.
    const temps = new Set(p.buffers.filter((b) => b.role === 'temp').map((b) => b.name));
    const backward = kernelsIn(p.steps).find(
      (k) =>
        k.notes.some((n) => n.includes('∂')) &&
        [...readsOf(k)].some((b) => temps.has(b) && !own.includes(b) && !writesOf(k).has(b)),
    )!;
    expect(() => run([...own, ...writesOf(backward)])).toThrow(
      `internal: the run of tiny_lm needs kernel ${backward.name}, which also reads`,
    );
    // An update kernel writes a param in place: run never executes it.
    const params = new Set(p.buffers.filter((b) => b.role === 'param').map((b) => b.name));
    const update = kernelsIn(p.steps).find((k) => [...writesOf(k)].some((b) => params.has(b)))!;
    expect(() => run([...own, ...writesOf(update)])).toThrow(
      `internal: the run of tiny_lm needs kernel ${update.name}, which also`,
    );
  });
});
