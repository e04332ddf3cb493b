// Reference values for the composites with PyTorch's names (activations, reductions, movement,
// conv1d, losses), then all of them compiled together to TypeScript and WGSL against the interpreter.
import { describe, expect, test } from 'vitest';
import * as A from '../../src/builder/activations.ts';
import { conv1d } from '../../src/builder/conv.ts';
import * as C from '../../src/builder/composite.ts';
import * as B from '../../src/builder/ops.ts';
import * as R from '../../src/builder/reductions.ts';
import * as Sh from '../../src/builder/shuffle.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import * as losses from '../../src/nn/losses.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { expectClose, run } from '../ops/run.ts';

const X23 = [3, -1, 4, 1, -5, 9];

describe('activations', () => {
  test('silu, elu, exact gelu, softplus(β), clamp', () => {
    const xs = [-2, -0.5, 0, 0.5, 2];
    const at = (f: (x: ReturnType<Graph['input']>) => ReturnType<Graph['input']>) =>
      run((g) => f(g.input('x', [5])), { x: xs }).values;
    expectClose(
      at(A.silu),
      xs.map((v) => v / (1 + Math.exp(-v))),
    );
    expectClose(
      at((x) => A.elu(x, 0.5)),
      xs.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))),
    );
    // Φ(x)·x with erf: reference values of x·Φ(x) at ±2, ±0.5.
    expectClose(
      at(A.geluExact),
      [-0.04550026389635842, -0.15426876936299344, 0, 0.34573123063700656, 1.9544997361036416],
      1e-12,
    );
    expectClose(
      at((x) => A.softplus(x, 2)),
      xs.map((v) => Math.log1p(Math.exp(2 * v)) / 2),
    );
    expectClose(
      at((x) => A.clamp(x, -1, 1)),
      [-1, -0.5, 0, 0.5, 1],
    );
  });
});

describe('reductions', () => {
  test('amin, std (Bessel), norm, argmax and argmin (first occurrence)', () => {
    const x = (g: Graph) => g.input('x', [2, 3]);
    expect(run((g) => R.amin(x(g), 1), { x: X23 }).values).toEqual([-1, -5]);
    // Row 0: mean 2, squared deviations 1 + 9 + 4 = 14, /(3 − 1) = 7.
    expectClose(run((g) => R.std(x(g), 1), { x: X23 }).values.slice(0, 1), [Math.sqrt(7)]);
    expectClose(run((g) => R.norm(x(g)), { x: X23 }).values, [Math.sqrt(133)]);
    expect(run((g) => R.norm(x(g), 1, 0), { x: X23 }).values).toEqual([4, 6, 13]);
    const am = run((g) => R.argmax(x(g), 1), { x: [1, 7, 7, 2, 2, 0] });
    expect(am.dtype).toBe('i32');
    expect(am.values).toEqual([1, 0]);
    expect(run((g) => R.argmin(x(g), 0), { x: X23 }).values).toEqual([1, 1, 0]);
  });
});

describe('movement', () => {
  test('flip, roll, stack, tril, triu', () => {
    const x = (g: Graph) => g.input('x', [2, 3]);
    expect(run((g) => Sh.flip(x(g), 1), { x: X23 }).values).toEqual([4, -1, 3, 9, -5, 1]);
    expect(run((g) => Sh.flip(x(g), [0, 1]), { x: X23 }).values).toEqual([9, -5, 1, 4, -1, 3]);
    expect(run((g) => Sh.roll(x(g), 1, 1), { x: X23 }).values).toEqual([4, 3, -1, 9, 1, -5]);
    expect(run((g) => Sh.roll(x(g), -4, 1), { x: X23 }).values).toEqual([-1, 4, 3, -5, 9, 1]);
    const st = run(
      (g) => {
        const v = x(g);
        return Sh.stack([v, B.neg(v)], 1);
      },
      { x: X23 },
    );
    expect(st.shape).toEqual([2, 2, 3]);
    expect(st.values).toEqual([3, -1, 4, -3, 1, -4, 1, -5, 9, -1, 5, -9]);
    expect(run((g) => Sh.tril(x(g)), { x: X23 }).values).toEqual([3, 0, 0, 1, -5, 0]);
    expect(run((g) => Sh.triu(x(g), 1), { x: X23 }).values).toEqual([0, -1, 4, 0, 0, 9]);
  });

  test('takeAlongAxis picks per position along the axis, as numpy', () => {
    const r = run((g) => Sh.takeAlongAxis(g.input('x', [2, 3]), g.input('i', [1, 3], 'i32'), 0), {
      x: X23,
      i: [1, 0, 1],
    });
    expect(r.shape).toEqual([1, 3]);
    expect(r.values).toEqual([1, -1, 9]);
    const r2 = run((g) => Sh.takeAlongAxis(g.input('x', [2, 3]), g.input('i', [2, 2], 'i32'), 1), {
      x: X23,
      i: [2, 2, 0, 1],
    });
    expect(r2.values).toEqual([4, 4, 1, -5]);
  });
});

describe('conv1d and losses', () => {
  test('conv1d matches the direct sum', () => {
    const xs = [1, 2, 3, 4, 5, -1, 0, 2, 1, 1];
    const ws = [1, 0, -1, 2, 1, 0.5];
    const r = run(
      (g) => conv1d(g.input('x', [1, 2, 5]), g.input('w', [1, 2, 3]), undefined, { padding: 1 }),
      { x: xs, w: ws },
    );
    const want = [0, 1, 2, 3, 4].map((t) => {
      let s = 0;
      for (let c = 0; c < 2; c++) {
        for (let k = 0; k < 3; k++) {
          const p = t + k - 1;
          if (p >= 0 && p < 5) s += xs[c * 5 + p]! * ws[c * 3 + k]!;
        }
      }
      return s;
    });
    expect(r.shape).toEqual([1, 1, 5]);
    expectClose(r.values, want);
  });

  test('nllLoss, klDiv (batchmean) and huberLoss (mean)', () => {
    const lp = [
      Math.log(0.5),
      Math.log(0.25),
      Math.log(0.25),
      Math.log(0.1),
      Math.log(0.9),
      Math.log(1e-9),
    ];
    const nll = run((g) => losses.nllLoss(g.input('lp', [2, 3]), g.input('y', [2], 'i32')), {
      lp,
      y: [0, 1],
    });
    expectClose(nll.values, [-(Math.log(0.5) + Math.log(0.9)) / 2]);
    const p = [0.5, 0.5, 0, 0.2, 0.3, 0.5];
    const kl = run((g) => losses.klDiv(g.input('lq', [2, 3]), g.input('p', [2, 3])), { lq: lp, p });
    let want = 0;
    p.forEach((v, i) => (want += v > 0 ? v * (Math.log(v) - lp[i]!) : 0));
    expectClose(kl.values, [want / 2]);
    const hub = run((g) => losses.huberLoss(g.input('a', [4]), g.input('b', [4]), 1), {
      a: [0, 0.5, 3, -2],
      b: [0, 0, 0, 0],
    });
    expectClose(hub.values, [(0 + 0.125 + 2.5 + 1.5) / 4]);
  });
});

describe('the composites on every target', async () => {
  const adapter = await hasAdapter();
  function graph() {
    const g = new Graph('torch_named');
    const x = g.input('x', [4, 6]);
    const i = g.input('i', [4, 2], 'i32');
    const outs = {
      silu: A.silu(x),
      elu: A.elu(x),
      gelu: A.geluExact(x),
      softplus: A.softplus(x, 2),
      clamp: A.clamp(x, -0.5, 0.5),
      amin: R.amin(x, 1),
      std: R.std(x, 0),
      norm: R.norm(x, 2, 1),
      argmax: B.cast(R.argmax(x, 1), 'f32'),
      flip: Sh.flip(x, [0, 1]),
      roll: Sh.roll(x, 2, 1),
      stack: Sh.stack([x, B.neg(x)], 0),
      tril: Sh.tril(x, 1),
      take: Sh.takeAlongAxis(x, i, 1),
      logp: C.logSoftmax(x),
    };
    for (const [k, v] of Object.entries(outs)) g.output(k, v);
    return g;
  }
  const feeds = {
    x: Float32Array.from({ length: 24 }, (_, k) => Math.sin(k * 1.7) * 2),
    i: Int32Array.from([0, 5, 2, 2, 1, 3, 4, 0]),
  };
  const targets = adapter ? (['ts', 'wgsl'] as const) : (['ts'] as const);
  for (const target of targets) {
    test(`${target} matches the interpreter`, async () => {
      const g = graph();
      const ref = interpret(g, feeds);
      const exe = await compile(g, { target });
      try {
        const out = await exe.run(feeds);
        for (const [k, want] of Object.entries(ref.outputs)) expectClose(out[k]!, want, 2e-6);
      } finally {
        exe.dispose();
      }
    });
  }
});
