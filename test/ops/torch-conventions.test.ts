// Conventions the PyTorch differential (scripts/torch-diff/) found gradc breaking, one test per
// class, each on the interpreter and the compiled TypeScript (wasm 'auto' and 'off'): ties of
// maximum/minimum, logsumexp over infinite rows, pow's second derivative at a zero exponent,
// NaN through relu and sign, and the WGSL spelling of the largest float32.
import { describe, expect, test } from 'vitest';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import * as C from '../../src/builder/composite.ts';
import { compile } from '../../src/compile.ts';
import { Graph } from '../../src/ir/graph.ts';
import { interpret } from '../../src/interp/interpret.ts';
import { literal } from '../../codegen/wgsl/expr.ts';
import { expectClose } from './run.ts';

type Feeds = Record<string, Float32Array>;
const f32 = (v: readonly number[]) => Float32Array.from(v);

/** Every output of `g` from the interpreter and from compiled TS with wasm 'auto' and 'off'. */
async function allTargets(g: Graph, feeds: Feeds): Promise<Record<string, ArrayLike<number>>[]> {
  const outs: Record<string, ArrayLike<number>>[] = [interpret(g, feeds).outputs];
  for (const wasm of ['auto', 'off'] as const) {
    outs.push(await (await compile(g, { target: 'ts', wasm })).run(feeds));
  }
  return outs;
}

describe('maximum and minimum split the gradient at ties, as PyTorch and JAX', () => {
  test('half to each operand at a tie, all to the winner, all to both beside a NaN', async () => {
    const g = new Graph('ties');
    const [a, b] = [g.input('a', [4]), g.input('b', [4])];
    const [da, db] = grad(B.sum(B.maximum(a, b)), [a, b]);
    const [ma, mb] = grad(B.sum(B.minimum(a, b)), [a, b]);
    g.output('da', da!);
    g.output('db', db!);
    g.output('ma', ma!);
    g.output('mb', mb!);
    const feeds = { a: f32([1, 2, 0, NaN]), b: f32([1, 1, 3, 0]) };
    for (const out of await allTargets(g, feeds)) {
      expectClose(out['da']!, [0.5, 1, 0, 1]);
      expectClose(out['db']!, [0.5, 0, 1, 1]);
      expectClose(out['ma']!, [0.5, 0, 1, 1]);
      expectClose(out['mb']!, [0.5, 1, 0, 1]);
    }
  });

  test('maximum(x, x) passes the whole gradient (two halves)', () => {
    const g = new Graph('self');
    const x = g.input('x', [2]);
    g.output('dx', grad(B.sum(B.maximum(x, x)), [x])[0]!);
    expectClose(interpret(g, { x: [3, -1] }).outputs['dx']!, [1, 1]);
  });
});

describe('logsumexp shifts by a finite max, as torch.logsumexp', () => {
  const rows = [-Infinity, -Infinity, -Infinity, Infinity, 0, 1, 1, 2, 3];

  test('a row of −∞ gives −∞, a +∞ gives +∞; finite rows and softmax are unchanged', async () => {
    const g = new Graph('lse');
    const x = g.input('x', [3, 3]);
    g.output('lse', C.logsumexp(x, -1));
    g.output('p', C.softmax(x, -1));
    g.output('dx', grad(B.sum(C.logsumexp(B.slice(x, [[1, 3]]), -1)), [x])[0]!);
    const finite = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const e = [1, 2, 3].map((v) => Math.exp(v - finite));
    for (const out of await allTargets(g, { x: f32(rows) })) {
      expect(Array.from(out['lse']!)).toEqual([
        -Infinity,
        Infinity,
        expect.closeTo(finite, 5) as number,
      ]);
      expectClose(Array.from(out['p']!).slice(6), e, 1e-6);
      // The +∞ row: no gradient to its finite entries (exp(x − ∞) = 0), NaN at the ∞ (as torch).
      const dx = Array.from(out['dx']!);
      expect(dx.slice(0, 3)).toEqual([0, 0, 0]);
      expect(dx[3]).toBeNaN();
      expect(dx.slice(4, 6)).toEqual([0, 0]);
      expectClose(dx.slice(6), e, 1e-6);
    }
  });
});

describe("pow's second derivative at a zero exponent", () => {
  test('∂²(aᵇ)/∂a∂b = a^(b−1) at b = 0 (was 1: the masked base reached ∂/∂b)', async () => {
    const g = new Graph('pow2');
    const [a, b] = [g.input('a', [3]), g.input('b', [3])];
    const [da] = grad(B.sum(B.pow(a, b)), [a]);
    const [dab] = grad(B.sum(da!), [b]);
    g.output('da', da!);
    g.output('dab', dab!);
    const feeds = { a: f32([2, 0.5, 0]), b: f32([0, 0, 0]) };
    for (const out of await allTargets(g, feeds)) {
      // ∂(a⁰)/∂a = 0 everywhere, 0⁰ included (the limit, as in PyTorch).
      expectClose(out['da']!, [0, 0, 0]);
      // ∂/∂b (b·a^(b−1)) = a^(b−1) + b·a^(b−1)·log a = 1/a at b = 0; 0⁰ keeps its mask (1).
      expectClose(out['dab']!, [0.5, 2, 1], 1e-6);
    }
  });
});

describe('NaN through relu and sign: the interpreter agrees with the compiled targets', () => {
  test('relu(NaN) = NaN (as torch.relu); sign(NaN) = NaN, sign(±0) = ±0 (as numpy, JAX)', async () => {
    const g = new Graph('nan');
    const x = g.input('x', [4]);
    g.output('r', B.relu(x));
    g.output('s', B.sign(x));
    for (const out of await allTargets(g, { x: f32([NaN, -0, 2, -3]) })) {
      const [r, s] = [Array.from(out['r']!), Array.from(out['s']!)];
      expect(r[0]).toBeNaN();
      expect(r.slice(1).map((v) => v + 0)).toEqual([0, 2, 0]);
      expect(s[0]).toBeNaN();
      expect(Object.is(s[1], -0)).toBe(true);
      expect(s.slice(2)).toEqual([1, -1]);
    }
  });
});

describe('WGSL literals', () => {
  test('the largest float32 is spelled within the f32 range (WGSL rejects 3.4028235e38)', () => {
    for (const v of [3.4028234663852886e38, -3.4028234663852886e38]) {
      const text = literal(v, 'f32').replace(/[()f]/g, '');
      expect(Math.abs(Number(text))).toBeLessThanOrEqual(3.4028234663852886e38);
      expect(Math.fround(Number(text))).toBe(v);
    }
    expect(literal(0.1, 'f32')).toBe('0.1f');
  });
});
