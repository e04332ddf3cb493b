// Recurrent layers trained through time: the unrolled Elman RNN's and LSTM's BPTT gradients
// against central finite differences (float64 interpreter), the same gradients computed by the
// compiled step on TS and WGSL against finite differences, and the per-time-step gradient norms
// ‖∂L/∂hₜ‖ the step outputs against norms of the interpreter's gradients.
import { describe, expect, test } from 'vitest';
import { formatGradCheck, gradCheck } from '../../src/autodiff/check.ts';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { initParams, interpret } from '../../src/interp/interpret.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32, normal } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { dense } from '../../src/nn/layers.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import type { Unrolled } from '../../src/nn/recurrent.ts';
import { elmanRnn, lstm, lstmBias } from '../../src/nn/recurrent.ts';
import { GRAD_NORM_PREFIX, addNodeGradNormOutputs } from '../../src/nn/gradstats.ts';
import { testOnTargets } from '../examples/targets.ts';

type Cell = 'rnn' | 'lstm';
const CELLS: readonly Cell[] = ['rnn', 'lstm'];
const [BATCH, T, D, H] = [2, 4, 3, 4];

function rand(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => 2 * r() - 1);
}

function unroll(cell: Cell, x: Node): Unrolled {
  // A recurrent gain above Xavier's so the later steps' gradients are not negligible.
  const recurrentInit = () => normal(1.2 / Math.sqrt(H));
  return cell === 'lstm'
    ? lstm(x, H, { name: 'lstm', recurrentInit })
    : elmanRnn(x, H, { name: 'rnn', recurrentInit });
}

/** Sequence classification: the last state → dense → cross-entropy with i32 labels. */
function model(cell: Cell) {
  const g = new Graph(`bptt_${cell}`);
  const x = g.input('x', [BATCH, T, D]);
  const y = g.input('y', [BATCH], 'i32');
  const r = unroll(cell, x);
  const loss = sparseCrossEntropy(dense(r.last, 3, { name: 'out' }), y).named('loss');
  g.output('loss', loss);
  const params = [...g.params.values()].filter((p) => p.trainable).map((p) => p.node);
  return { g, x, loss, params, states: r.states };
}

const feeds = { x: rand(BATCH * T * D, 11), y: [2, 0] };

/** Params off their init (biases and gates away from 0) so every term of the rule matters. */
function paramsOf(g: Graph, seed: number): Record<string, Float64Array> {
  const p = initParams(g, seed);
  for (const [k, v] of Object.entries(p)) {
    const noise = rand(v.length, seed + k.length);
    p[k] = v.map((e, i) => e + 0.2 * noise[i]!);
  }
  return p;
}

describe('BPTT gradients against finite differences (float64 interpreter)', () => {
  test.each(CELLS)(`%s: every weight, through all ${T} time steps, and the input`, (cell) => {
    const { g, x, loss, params } = model(cell);
    const report = gradCheck(g, loss, [x, ...params], feeds, paramsOf(g, 5), {
      maxElements: 40,
    });
    expect(report.pass, formatGradCheck(report)).toBe(true);
    expect(report.targets.map((t) => t.name)).toEqual([
      'x',
      `${cell}.Wx`,
      `${cell}.Wh`,
      `${cell}.b`,
      'out.W',
      'out.b',
    ]);
    // The first step's input reaches the loss only through T − 1 recurrent steps: its gradient
    // is nonzero, so the check above covered the whole unrolled chain.
    const gx = interpret(g, feeds, paramsOf(g, 5), grad(loss, [x])).value(grad(loss, [x])[0]!);
    const first = Array.from({ length: BATCH * D }, (_, i) => {
      const [b, d] = [Math.floor(i / D), i % D];
      return Math.abs(gx[b * T * D + d]!);
    });
    expect(Math.max(...first)).toBeGreaterThan(1e-4);
  });
});

describe('on the compiled targets', () => {
  for (const cell of CELLS) {
    testOnTargets(`${cell}: compiled BPTT gradients against finite differences`, async (target) => {
      const { g, loss, params, states } = model(cell);
      const grads = grad(loss, params);
      params.forEach((p, i) => g.output(`grad.${p.label}`, grads[i]!));
      const normNames = addNodeGradNormOutputs(g, loss, states);
      expect(normNames).toEqual(states.map((_, t) => `${GRAD_NORM_PREFIX}${cell}.h${t + 1}`));
      const exe = await compile(g, { target, seed: 2 });
      try {
        const out = await exe.step(feeds);
        const values = params.map((p) => out[`grad.${p.label}`]!);
        // The compiled (float32) gradients, at the executable's own params, against float64
        // central differences of the loss.
        const p64 = Object.fromEntries(Object.entries(exe.params).map(([k, v]) => [k, [...v]]));
        const report = gradCheck(g, loss, params, feeds, p64, {
          values,
          atol: 2e-5,
          rtol: 2e-3,
          maxElements: 48,
        });
        expect(report.pass, formatGradCheck(report)).toBe(true);

        // ‖∂L/∂hₜ‖ per step from the compiled step = the norms of the interpreter's gradients.
        const gs = grad(loss, states);
        const ev = interpret(g, feeds, p64, gs);
        const ref = gs.map((gt) => Math.sqrt(ev.value(gt).reduce((s, e) => s + e * e, 0)));
        const got = normNames.map((n) => out[n]![0]!);
        ref.forEach((r, t) => expect(got[t]).toBeCloseTo(r, 5));
        expect(new Set(ref.map((r) => r.toPrecision(3))).size).toBe(T); // T distinct values
        expect(ref[T - 1]).toBeGreaterThan(0);
      } finally {
        exe.dispose();
      }
    });
  }
});

test('the LSTM starts with its forget gate open (bias 1) and the other gates at 0', () => {
  const { g } = model('lstm');
  const b = initParams(g, 0)['lstm.b']!;
  expect(Array.from(b)).toEqual([
    ...Array(H).fill(0),
    ...Array(H).fill(1),
    ...Array(2 * H).fill(0),
  ]);
});

test('chrono biases for a time scale T: forget log(u), input −log(u), u spread over [1, T − 1]', () => {
  const b = lstmBias(4, 30);
  const forget = b.slice(4, 8);
  expect(forget.map((v) => Math.exp(v))).toEqual(
    [0.5, 1.5, 2.5, 3.5].map((j) => expect.closeTo(1 + (28 * j) / 4, 9)),
  );
  expect(b.slice(0, 4)).toEqual(forget.map((v) => -v));
  expect(b.slice(8)).toEqual(Array(8).fill(0));
  // σ(forget bias) is the share of the cell kept per step: the last unit keeps ≥ 0.96.
  expect(1 / (1 + Math.exp(-forget[3]!))).toBeGreaterThan(0.96);
});

test('a sequence that is not [batch, time, features] is refused with the layer named', () => {
  const g = new Graph('bad');
  expect(() => elmanRnn(g.input('x', [2, 3]), 4, { name: 'r' })).toThrow(
    /elmanRnn 'r'.*needs x \[batch, time, features\].*\[2,3\]/,
  );
  expect(() => lstm(B.reshape(g.input('z', [6]), [6]), 4)).toThrow(/lstm 'lstm1'/);
});
