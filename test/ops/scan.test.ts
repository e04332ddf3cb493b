// cumsum, the scan kernel kind (one running sum per row, O(n) work; f32 and i32, as sum), and
// prod, whose gradient is the product of the others (exact at zeros): interpreter, gradients,
// kernel IR, TS (wasm loops and TypeScript) and WGSL.
import { describe, expect, test } from 'vitest';
import { gradCheck } from '../../src/autodiff/check.ts';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { prod } from '../../src/builder/reductions.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { toProgram } from '../../src/pipeline.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { kernelExprs, visit } from '../../src/schedule/walk.ts';
import { expectClose, run } from './run.ts';

const X23 = [3, -1, 4, 1, -5, 9];
const adapter = await hasAdapter();

describe('cumsum', () => {
  test('running sums along each axis, forwards and from the end', () => {
    const x = (g: Graph) => g.input('x', [2, 3]);
    expect(run((g) => B.cumsum(x(g), 1), { x: X23 }).values).toEqual([3, 2, 6, 1, -4, 5]);
    expect(run((g) => B.cumsum(x(g), 0), { x: X23 }).values).toEqual([3, -1, 4, 4, -6, 13]);
    expect(run((g) => B.cumsum(x(g), -1, true), { x: X23 }).values).toEqual([6, 3, 4, 5, 4, 9]);
  });

  test('its gradient is the reversed cumsum (and checks against finite differences)', () => {
    const g = new Graph('cs');
    const x = g.input('x', [3, 4]);
    const w = g.input('w', [3, 4]);
    const y = B.cumsum(B.mul(x, x), 1);
    const loss = B.sum(B.mul(y, w));
    const [dx] = grad(loss, [x]);
    g.output('dx', dx!);
    const feeds = {
      x: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
      w: Float64Array.from({ length: 12 }, (_, i) => Math.cos(2 * i)),
    };
    const out = interpret(g, feeds).outputs['dx']!;
    for (let r = 0; r < 3; r++) {
      for (let t = 0; t < 4; t++) {
        let tail = 0;
        for (let s = t; s < 4; s++) tail += feeds.w[r * 4 + s]!;
        expect(out[r * 4 + t]).toBeCloseTo(2 * feeds.x[r * 4 + t]! * tail, 12);
      }
    }
    expect(gradCheck(g, loss, [x, w], feeds).pass).toBe(true);
  });

  test('lowers to one scan kernel whose work is linear in the row length', () => {
    function scanOf(n: number) {
      const g = new Graph('scan');
      g.output('y', B.cumsum(B.exp(g.input('x', [2, n, 3])), 1));
      const ks = kernelsOf(toProgram(g));
      expect(ks.map((k) => k.kind)).toEqual(['scan']);
      const k = ks[0]!;
      if (k.kind !== 'scan') throw new Error('unreachable');
      let nodes = 0;
      visit(kernelExprs(k), () => nodes++);
      // One pass per row (2·3 rows) of n steps, each step the same constant-size body.
      const iterations = k.shape.reduce((a, d) => a * d, 1);
      return { iterations, nodes, axis: k.axis };
    }
    const small = scanOf(8);
    const big = scanOf(4096);
    expect(small.axis).toBe(1);
    expect(small.iterations).toBe(2 * 8 * 3);
    expect(big.iterations).toBe(2 * 4096 * 3);
    expect(big.nodes).toBe(small.nodes);
  });
});

describe('prod', () => {
  test('values over axes, with keepdims', () => {
    const x = (g: Graph) => g.input('x', [2, 3]);
    expect(run((g) => prod(x(g), 1), { x: X23 }).values).toEqual([-12, -45]);
    expect(run((g) => prod(x(g)), { x: X23 }).values).toEqual([540]);
    const k = run((g) => prod(x(g), 0, true), { x: X23 });
    expect(k.shape).toEqual([1, 3]);
    expect(k.values).toEqual([3, 5, 36]);
  });

  test('the gradient is the product of the others, also where elements are 0', () => {
    function dprod(xs: number[]) {
      const g = new Graph('p');
      const x = g.input('x', [xs.length]);
      g.output('d', grad(prod(x), [x])[0]!);
      return Array.from(interpret(g, { x: xs }).outputs['d']!);
    }
    expect(dprod([2, 3, 4, 5, 7])).toEqual([420, 280, 210, 168, 120]);
    expect(dprod([2, 0, 4, 5, 7])).toEqual([0, 280, 0, 0, 0]);
    expect(dprod([0, 3, 0, 5, 7])).toEqual([0, 0, 0, 0, 0]);
  });

  test('its second derivative is right at a zero (∂²/∂x₀∂x₁ of x₀x₁x₂ is x₂)', () => {
    const g = new Graph('p2');
    const x = g.input('x', [3]);
    const d0 = B.slice(grad(prod(x), [x])[0]!, [[0, 1]]);
    g.output('h', grad(B.sum(d0), [x])[0]!);
    expect(Array.from(interpret(g, { x: [0, 0, 5] }).outputs['h']!)).toEqual([0, 5, 0]);
  });
});

describe('cumsum and prod on every target', () => {
  function graph() {
    const g = new Graph('scan_targets');
    const x = g.input('x', [5, 7]);
    g.output('cs', B.cumsum(B.tanh(x), 1));
    g.output('csr', B.mul(B.cumsum(x, 0, true), 2));
    g.output('p', prod(x, 1));
    const [dx] = grad(B.sum(B.mul(B.cumsum(x, 1), x)), [x]);
    g.output('dx', dx!);
    return g;
  }
  const feeds = { x: Float32Array.from({ length: 35 }, (_, k) => Math.sin(k * 1.3) * 1.5) };
  const cases = [
    { target: 'ts', wasm: 'all' },
    { target: 'ts', wasm: 'off' },
    ...(adapter ? [{ target: 'wgsl' } as const] : []),
  ] as const;

  test("wasm: 'all' runs the scans in the wasm module", () => {
    const p = toProgram(graph());
    const scans = kernelsOf(p).filter((k) => k.kind === 'scan');
    expect(scans.length).toBeGreaterThanOrEqual(3);
    const mod = renderWasm(p, 'all')!;
    for (const k of scans) expect(mod.kernels.has(k.name), k.name).toBe(true);
  });

  // i32 running sums past 2^24, where float32 would round (2^24 + 1 → 2^24): each target must
  // add in integers. Outputs reach the caller as float32, so they are brought back near 0 first.
  const big = 2 ** 24 + 1;
  function intGraph() {
    const g = new Graph('scan_i32');
    const n = g.input('n', [3, 6], 'i32');
    const m = g.input('m', [3, 6], 'i32');
    const base = g.input('base', [3, 6], 'i32');
    g.output('cs', B.sub(B.cumsum(n, 1), base));
    g.output('csr', B.sub(B.cumsum(m, 1, true), base));
    return g;
  }
  // Each row starts (n) or ends (m, summed from the end) with 2^24 + 1: every running sum holds it.
  const n = Int32Array.from({ length: 18 }, (_, k) => (k % 6 === 0 ? big : (k % 3) - 1));
  const m = Int32Array.from({ length: 18 }, (_, k) => (k % 6 === 5 ? big : (k % 3) - 1));
  // Each running sum minus `big`: the small part, exact only if the sum never rounded.
  const base = Int32Array.from({ length: 18 }, () => big);
  const ints = { n, m, base };
  test('i32: exact in the interpreter (f32 and i32 accepted, as for sum; bool refused)', () => {
    const out = interpret(intGraph(), ints).outputs;
    const want: number[] = [];
    for (let r = 0; r < 3; r++) {
      let acc = 0;
      for (let t = 0; t < 6; t++) want.push((acc += n[r * 6 + t]!) - big);
    }
    expect(Array.from(out['cs']!)).toEqual(want);
    expect(want.slice(0, 6)).toEqual([0, 0, 1, 0, 0, 1]);
    const g = new Graph('b');
    expect(() => B.cumsum(B.gt(g.input('x', [3]), 0))).toThrow(/cumsum.*dtype bool/s);
  });
  for (const opts of cases) {
    test(`i32 on ${JSON.stringify(opts)}: exact, as the interpreter`, async () => {
      const g = intGraph();
      const ref = interpret(g, ints);
      const exe = await compile(g, opts);
      try {
        const out = await exe.run(ints);
        for (const [k, want] of Object.entries(ref.outputs)) {
          expect(Array.from(out[k]!), k).toEqual(Array.from(want));
        }
      } finally {
        exe.dispose();
      }
    });
  }

  for (const opts of cases) {
    test(`${JSON.stringify(opts)} matches the interpreter`, async () => {
      const g = graph();
      const ref = interpret(g, feeds);
      const exe = await compile(g, opts);
      try {
        const out = await exe.run(feeds);
        for (const [k, want] of Object.entries(ref.outputs)) expectClose(out[k]!, want, 2e-6);
      } finally {
        exe.dispose();
      }
    });
  }
});
