// Every unary primitive of the op table on every target: interpreter, gradient (first and second
// order against finite differences), generated TypeScript and WGSL, on values in the op's domain.
// softplus is the worked example of adding an elementwise op: one name in src/ops/names.ts and one
// entry in src/ops/elementwise.ts (its kernel expression reuses existing scalar functions). trunc
// is the example of a new scalar function: the same two files (the kernels' scalar list derives
// from the op list), then the one line per table that tsc demands: the TS, WGSL and wasm renderers,
// the gradient-check domain and the fuzzer.
import { describe, expect, test } from 'vitest';
import { gradCheck } from '../../src/autodiff/check.ts';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { UNARY_OPS } from '../../src/ops/names.ts';
import { OPS } from '../../src/ops/table.ts';
import * as E from '../../src/schedule/expr.ts';
import type { UnaryOp } from '../../src/ops/names.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { UNARY_DOMAIN } from '../autodiff/gradcheck-table.ts';
import { sampleDomain } from '../autodiff/harness.ts';

const N = 256;
const adapter = await hasAdapter();
if (!adapter) {
  console.warn('\n*** unary WGSL tests SKIPPED: no WebGPU adapter. They did NOT pass. ***\n');
}

/** y = op(x) and ∂/∂x of Σ y ⊙ w, for each op given (outputs `<op>` and `d_<op>`). */
function unaryGraph(ops: readonly UnaryOp[]) {
  const g = new Graph('unary');
  const w = g.input('w', [N]);
  const rand = mulberry32(1);
  const feeds: Record<string, Float32Array> = {
    w: Float32Array.from(sampleDomain({ kind: 'uniform', lo: -1, hi: 1 }, N, rand)),
  };
  for (const op of ops) {
    const x = g.input(`x_${op}`, [N]);
    feeds[`x_${op}`] = Float32Array.from(sampleDomain(UNARY_DOMAIN[op], N, rand));
    const y = B.unary(op, x);
    g.output(op, y);
    g.output(`d_${op}`, grad(B.sum(B.mul(y, w)), [x])[0]!);
  }
  return { g, feeds };
}

/** Per op, the worst error of its value and of its gradient. */
function errors(got: Record<string, ArrayLike<number>>, want: Record<string, Float64Array>) {
  return Object.fromEntries(
    UNARY_OPS.map((op) => [
      op,
      Math.max(worst(got[op]!, want[op]!), worst(got[`d_${op}`]!, want[`d_${op}`]!)),
    ]),
  );
}

/** Largest |got − want| / (1 + |want|). */
function worst(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!));
    err = Number.isNaN(e) ? Infinity : Math.max(err, e);
  }
  return err;
}

describe('unary primitives on every target', () => {
  test('the kernel scalar functions derive from the graph unary ops (renamed, composed, extra)', () => {
    expect([...E.UN_OPS].sort()).toEqual(
      [
        ...UNARY_OPS.filter((op) => op !== 'softplus' && op !== 'reciprocal'),
        'recip',
        'not',
        'wrap',
      ].sort(),
    );
    // Each op lowers to exactly the scalar function the derivation names for it.
    const g = new Graph('lower');
    const at = E.load('x', E.int(0), 'f32');
    for (const op of UNARY_OPS) {
      const lower = OPS[op].lower;
      if (lower.kind !== 'expr') throw new Error(`${op} is not an expression op`);
      const node = B.unary(op, g.input(`x_${op}`, [1]));
      const e = lower.expr({ node, idx: [], input: () => at }, {});
      const scalar = E.scalarOf(op);
      if (scalar === null) expect(e.k === 'un' && e.a === at, op).toBe(false);
      else expect(e, op).toEqual(E.un(scalar, at));
    }
  });

  test('trunc, a new scalar function: rounds toward zero on the interpreter', () => {
    const g = new Graph('t');
    g.output('y', B.trunc(g.input('x', [6])));
    const out = interpret(g, { x: [-2.5, -1.7, -0.2, 0.2, 1.7, 2.5] }).outputs['y']!;
    expect(Array.from(out)).toEqual([-2, -1, -0, 0, 1, 2]);
  });

  test('softplus, added through one op-table entry: interpreter, gradient', () => {
    const { g, feeds } = unaryGraph(['softplus']);
    const ref = interpret(g, feeds);
    const xs = Array.from(feeds['x_softplus']!);
    // softplus(x) = log(1 + eˣ), and its derivative is σ(x).
    xs.forEach((v, i) => {
      expect(ref.outputs['softplus']![i]).toBeCloseTo(Math.log1p(Math.exp(v)), 12);
      expect(ref.outputs['d_softplus']![i]! / feeds['w']![i]!).toBeCloseTo(
        1 / (1 + Math.exp(-v)),
        9,
      );
    });
    const x = g.inputs.get('x_softplus')!;
    const loss = B.sum(B.mul(g.outputs.get('softplus')!, g.inputs.get('w')!));
    expect(gradCheck(g, loss, [x], feeds).pass).toBe(true);
  });

  test('the generated TypeScript matches the interpreter for every unary op', async () => {
    const { g, feeds } = unaryGraph(UNARY_OPS);
    const ref = interpret(g, feeds);
    const out = await (await compile(g, { target: 'ts' })).run(feeds);
    // erf is a float32-accurate approximation (relative error below 1.2e-7) in generated code.
    const bad = Object.entries(errors(out, ref.outputs)).filter(([, e]) => !(e < 1e-6));
    expect(bad).toEqual([]);
  });

  test.skipIf(!adapter)('WGSL matches the interpreter for every unary op', async () => {
    const { g, feeds } = unaryGraph(UNARY_OPS);
    const ref = interpret(g, feeds);
    const exe = await compile(g, { target: 'wgsl' });
    try {
      const errs = errors(await exe.run(feeds), ref.outputs);
      const bad = Object.entries(errs).filter(([, e]) => !(e < 2e-6));
      expect(bad).toEqual([]);
    } finally {
      exe.dispose();
    }
  });
});
