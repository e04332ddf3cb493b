// Device limits. A buffer past maxStorageBufferBindingSize fails at compile time, naming the
// tensor. Workgroup grids past the per-dimension limit (65535): a device with a limit of 4 stands
// in for a huge shape, so every kind of kernel whose tiles, outputs or batch outnumber it runs here in
// milliseconds against the interpreter (maps and reductions use a 2-D grid; matmuls number their
// tiles flat). Real sizes were probed by hand: a 6M × 2 · 2 × 3 matmul, a batch of 70,000.
import { describe, expect, test } from 'vitest';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { emitWgsl } from '../../src/pipeline.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { createProgram } from '../../src/runtime/wgsl-host.ts';
import { programData } from '../../codegen/wgsl/data.ts';
import { DEFAULT_LIMITS, WgslLimitError } from '../../codegen/wgsl/layout.ts';
import type { MatmulStrategy } from '../../codegen/wgsl/matmul.ts';

const adapter = await hasAdapter();
const MAX = 4;

/** Values that tell every element apart (a tile read or written in the wrong place shows). */
const ramp = (n: number, k: number) =>
  Float32Array.from({ length: n }, (_, i) => ((i * k) % 23) - 11);

function graph(): [Graph, Record<string, Float32Array>] {
  const g = new Graph('grid');
  const a = g.input('a', [5, 24, 5]);
  const b = g.input('b', [5, 5, 20]);
  const c = g.input('c', [80, 3]);
  const d = g.input('d', [3, 6]);
  const x = g.input('x', [3000]);
  g.output('batched', B.relu(B.matmul(a, b))); // a batch of 5
  g.output('tall', B.matmul(c, d)); // 80 rows: 5 or 10 row tiles
  g.output('map', B.mul(x, x)); // 12 workgroups of 256
  g.output('rows', B.sum(B.reshape(x, [1500, 2]), [1])); // 1500 outputs: 6 workgroups
  const feeds = {
    ...{ a: ramp(5 * 24 * 5, 7), b: ramp(5 * 5 * 20, 5), c: ramp(240, 11) },
    ...{ d: ramp(18, 13), x: ramp(3000, 3) },
  };
  return [g, feeds];
}

describe.skipIf(!adapter)(`grids past a per-dimension limit of ${MAX} workgroups`, () => {
  for (const matmul of ['lane', 'workgroup'] as MatmulStrategy[]) {
    test(`${matmul} matmul tiles, maps and reductions match the interpreter`, async () => {
      const [g, feeds] = graph();
      const limits = { ...DEFAULT_LIMITS, maxComputeWorkgroupsPerDimension: MAX };
      const { plan, wgsl } = await emitWgsl(g, { limits, matmul, format: false });
      expect(wgsl).toContain('let tile = vec3u(');
      const dims = plan.dispatches.flatMap((d) => d.groups);
      expect(Math.max(...dims)).toBeLessThanOrEqual(MAX);
      const device = await getDevice();
      const p = await createProgram(device, programData(plan, 'grid'), {});
      try {
        const out = await p.run!(feeds);
        const want = interpret(g, feeds).outputs;
        for (const [name, w] of Object.entries(want)) expect([...out[name]!], name).toEqual([...w]);
      } finally {
        p.dispose();
      }
    });
  }
});

test('a buffer past the storage binding limit fails at compile time, naming the tensor', async () => {
  const g = new Graph('big');
  const x = g.input('x', [300, 2]);
  g.output('y', B.sum(B.mul(x, 2), [1]));
  const limits = { ...DEFAULT_LIMITS, maxStorageBufferBindingSize: 1024 };
  const emit = emitWgsl(g, { limits, format: false });
  await expect(emit).rejects.toBeInstanceOf(WgslLimitError);
  await expect(emit).rejects.toThrow(
    "input 'x' f32[300, 2] needs 2400 bytes, more than the device allows in one storage binding " +
      '(maxStorageBufferBindingSize 1024)',
  );
});
