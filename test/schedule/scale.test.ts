// Compile cost grows linearly: generated size per node stays flat as graphs grow, every kernel's
// expression is bounded whatever the graph's depth, and no stage recurses on depth (checked by
// compiling and running a deep chain and its gradient under a stack far too small for recursion).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scaleGraph } from '../../bench/scale-graphs.ts';
import { formatWithin } from '../../codegen/format.ts';
import { emitTs, toProgram } from '../../src/pipeline.ts';
import { MAX_EPILOGUE, MAX_INLINE_DEPTH, MAX_KERNEL_COST } from '../../src/schedule/fuse.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { Kernel } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { childrenOf, ExprIds, kernelExprs, visit } from '../../src/schedule/walk.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';

/** Distinct (structural) subexpressions of one kernel: what its body has to compute. */
function exprSize(k: Kernel): number {
  const ids = new ExprIds();
  const seen = new Set<number>();
  visit(kernelExprs(k), (e) => seen.add(ids.of(e)));
  return seen.size;
}

/** Ops in the deep chain (issue #12: a 100k-deep chain builds, grads, compiles and runs). */
const DEEP = 100_000;

/** The longest path from a kernel's stores down to a leaf of its expressions. */
function exprDepth(k: Kernel): number {
  const depth = new Map<Expr, number>();
  const stack: [Expr, boolean][] = kernelExprs(k).map((e) => [e, false]);
  while (stack.length) {
    const [e, ready] = stack.pop()!;
    if (ready) {
      depth.set(e, 1 + Math.max(0, ...childrenOf(e).map((c) => depth.get(c)!)));
    } else if (!depth.has(e)) {
      stack.push([e, true], ...childrenOf(e).map((c): [Expr, boolean] => [c, false]));
    }
  }
  return Math.max(0, ...kernelExprs(k).map((e) => depth.get(e)!));
}

describe('compile cost', () => {
  it('generated TypeScript grows linearly with the chain and its gradient', async () => {
    const sizes = [];
    for (const n of [300, 1200]) {
      const g = scaleGraph('chain', n);
      const { source, program } = await emitTs(g, { format: false });
      sizes.push({ nodes: g.nodes.length, chars: source.length, kernels: program.stats.kernels });
    }
    const [small, big] = sizes as [(typeof sizes)[0], (typeof sizes)[0]];
    const nodes = big.nodes / small.nodes;
    expect(nodes).toBeGreaterThan(3.5);
    // Per node, the large module is no bigger than the small one (within 15%): linear, not more.
    expect(big.chars / big.nodes).toBeLessThan((1.15 * small.chars) / small.nodes);
    expect(big.kernels / small.kernels).toBeLessThan(nodes * 1.15);
  });

  it('bounds every kernel expression, however long the chain', () => {
    const largest = [300, 1200].map((n) => {
      const ks = kernelsOf(toProgram(scaleGraph('chain', n)));
      return Math.max(...ks.map(exprSize));
    });
    // Independent of the chain's length, and within a small multiple of the fusion bound
    // (index arithmetic and loads add to the inlined ops the bound counts).
    expect(largest[1]).toBeLessThanOrEqual(largest[0]! * 1.1);
    expect(largest[1]).toBeLessThan(4 * MAX_KERNEL_COST);
  });

  it('plans parallel branches and mixed graphs with bounded kernels too', () => {
    for (const kind of ['branches', 'mixed'] as const) {
      const ks = kernelsOf(toProgram(scaleGraph(kind, 600)));
      expect(Math.max(...ks.map(exprSize)), kind).toBeLessThan(4 * MAX_KERNEL_COST);
    }
  });

  it('bounds a matmul epilogue that could grow along a long fan-in sum (400 terms)', () => {
    // Σ_k x·k·W: each product's only consumer is the next add of the sum, so every epilogue could
    // swallow the rest of the sum (a weight used in every block has such a gradient).
    const g = new Graph('fan_in');
    const x = g.input('x', [4, 8]);
    const w = g.param('w', [8, 8], init.normal(0.5));
    let total: Node | null = null;
    for (let k = 1; k <= 400; k++) {
      const m = x.mul(k).matmul(w);
      total = total ? total.add(m) : m;
    }
    g.output('y', total!);
    const p = toProgram(g);
    const deepest = Math.max(...kernelsOf(p).map(exprDepth));
    expect(deepest).toBeLessThan(MAX_EPILOGUE + MAX_INLINE_DEPTH);
    expect(p.stats.fusionNotes.some((n) => /epilogue of .* stops before/.test(n))).toBe(true);
  });

  it('prettier formats pieces up to the budget and leaves the rest as written', async () => {
    const pieces = ['const  a=1', 'const  b=2', 'const  c=3'];
    const done = await formatWithin(pieces, 20);
    expect(done.chunks).toEqual(['const a = 1;\n', 'const b = 2;\n', 'const  c=3']);
    expect(done.skipped).toBe(1);
  });

  it('a 100,000-op chain and its gradient build, compile and run with a 160 KB stack', () => {
    // Recursion on depth would need ~100,000 frames: far more than fit in 160 KB.
    const script = fileURLToPath(new URL('./deep-child.ts', import.meta.url));
    const res = spawnSync(
      process.execPath,
      ['--stack-size=160', '--import', 'tsx', script, String(DEEP)],
      { encoding: 'utf8' },
    );
    expect(res.stderr).not.toMatch(/Maximum call stack/);
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { y: number[]; dx: number[]; nodes: number };
    expect(out.nodes).toBeGreaterThan(1.5 * DEEP);
    // y = x + 3·100,000/4, exact in float32; dy/dx = 1 for every element.
    expect(out.y).toEqual([0.5 + (3 * DEEP) / 4, -3 + (3 * DEEP) / 4]);
    expect(out.dx).toEqual([1, 1]);
  }, 180_000);
});
