// Names in generated code: user names that are valid identifiers keep their spelling (a1, b1 — the
// kernels' own locals are renamed instead), and unlabeled kernels are named from what they compute
// (the output they produce, the labeled forward op whose input they differentiate).
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { emitTs, toProgram } from '../../src/pipeline.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { expectClose } from '../ops/run.ts';
import { seedMlpStep } from './models.ts';

describe('readable names', () => {
  it('keeps a1, b1, a2, b2 as written in the seed step', async () => {
    const { source } = await emitTs(seedMlpStep().g, { wasm: 'off' });
    for (const name of ['a1', 'b1', 'a2', 'b2']) {
      expect(source).toContain(`${name}: Float32Array`);
      expect(source).not.toMatch(new RegExp(`\\b${name}_\\b`));
    }
  });

  it('names unlabeled kernels by their output and by the labeled op they differentiate', () => {
    const names = kernelsOf(toProgram(seedMlpStep().g)).map((k) => k.name);
    // The loss kernel is named by its output; δ² and δ¹ by the sigmoid (a2, a1) they go through.
    expect(names.some((n) => n.startsWith('loss_'))).toBe(true);
    expect(names.some((n) => n.startsWith('dsigmoid_a2'))).toBe(true);
    expect(names.some((n) => n.startsWith('dsigmoid_a1'))).toBe(true);
    expect(names.filter((n) => /^(div|mul|sub|add|d_add)_/.test(n))).toEqual([]);
  });

  it('a blocked matmul (register locals) beside user buffers named like them runs correctly', async () => {
    const g = new Graph('blocked');
    const a1 = g.input('a1', [64, 32]);
    const b1 = g.input('b1', [32, 16]);
    const a0 = g.param('a0', [16], init.zeros);
    const y = B.sigmoid(B.add(B.matmul(a1, b1), a0)).named('c1');
    g.output('c1', y);
    g.output('ga1', grad(B.sum(B.mul(y, y)), [a1])[0]!);
    const { source } = await emitTs(g, { wasm: 'off' });
    expect(source).toContain('cb0');
    expect(source).toMatch(/\ba1: Float32Array/);
    const feeds = {
      a1: Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i) * 0.3),
      b1: Float32Array.from({ length: 512 }, (_, i) => Math.cos(i) * 0.3),
    };
    const exe = await compile(g, { target: 'ts', wasm: 'off' });
    try {
      const a0v = Float32Array.from({ length: 16 }, (_, i) => i / 16);
      exe.params['a0']!.set(a0v);
      const ref = interpret(g, feeds, { a0: Float64Array.from(a0v) });
      const out = await exe.run(feeds);
      expectClose(out['c1']!, ref.outputs['c1']!, 2e-6);
      expectClose(out['ga1']!, ref.outputs['ga1']!, 2e-5);
    } finally {
      exe.dispose();
    }
  });
});
