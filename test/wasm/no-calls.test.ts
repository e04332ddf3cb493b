// No call into JavaScript per element where lane code exists: the wasm module of a step is
// instantiated with counting Math imports and every exported kernel run once. The seed network's
// step (W1: 784-30-10 sigmoid, batch 10, rows of 30 and 10 — not multiples of four, so the rows'
// last elements are the partial vectors of rows.ts), a log-softmax with sin/cos features, and maps
// over every other op with lane code (lanewide.ts, widemath.ts).
import { describe, expect, it } from 'vitest';
import { renderWasm } from '../../codegen/wasm/module.ts';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { toProgram } from '../../src/pipeline.ts';
import { diffAgainstInterp } from '../codegen/harness.ts';

/** Calls made into each import while every kernel of `g`'s wasm module runs once. */
function importCalls(g: Graph, kernels = 4): Record<string, number> {
  const mod = renderWasm(toProgram(g), 'auto')!;
  const memory = new WebAssembly.Memory({ initial: mod.layout.pages });
  const calls: Record<string, number> = {};
  const env: Record<string, WebAssembly.ImportValue> = { memory };
  for (const name of mod.imports)
    env[name] = (...xs: number[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return name === 'pow' ? xs[0]! ** xs[1]! : name.startsWith('rand') ? 0.5 : 0;
    };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(mod.bytes)), { env });
  for (const k of mod.kernels) (inst.exports[k] as () => void)();
  expect(mod.kernels.size).toBeGreaterThanOrEqual(kernels);
  return calls;
}

function seedStep(): Graph {
  const g = new Graph('w1');
  let a: Node = g.input('x', [10, 784]);
  const y = g.input('y', [10, 10]);
  const params: Node[] = [];
  for (const [l, [i, o]] of [
    [784, 30],
    [30, 10],
  ].entries()) {
    const w = g.param(`w${l}`, [i!, o!], init.normal(1));
    const b = g.param(`b${l}`, [o!], init.zeros);
    params.push(w, b);
    a = B.sigmoid(B.add(B.matmul(a, w), b));
  }
  const d = B.sub(a, y);
  const cost = B.mul(B.sum(B.mul(d, d)), 0.05);
  const grads = grad(cost, params);
  params.forEach((p, i) => g.update(p.label!, B.sub(p, B.mul(grads[i]!, 3))));
  return g;
}

describe('wasm kernels call no Math import per element', () => {
  it('the seed network step (W1): none, also in the rows’ last partial vectors', () => {
    expect(importCalls(seedStep())).toEqual({});
  });

  it('log-softmax of sin/cos features, rows of 30', () => {
    const g = new Graph('feat');
    const x = g.input('x', [8, 30]);
    const z = B.add(B.sin(x), B.cos(B.mul(x, 2)));
    const lse = B.log(B.sum(B.exp(B.sub(z, B.max(z, -1, true))), -1, true));
    g.output('y', B.sub(B.sub(z, B.max(z, -1, true)), lse));
    expect(importCalls(g)).toEqual({});
  });

  it('the last scalar ops (log1p … atanh, pow, rounding, sign) run as lanes, rows of 30 and 3', async () => {
    for (const cols of [30, 3]) {
      const g = new Graph('rest');
      const x = g.input('x', [24, cols]);
      const ops = [B.log1p, B.expm1, B.tan, B.asin, B.acos, B.atan, B.sinh, B.cosh, B.asinh];
      ops.push(B.atanh, B.floor, B.ceil, B.round, B.trunc, B.sign);
      ops.forEach((op, i) => g.output(`y${i}`, B.mul(op(x), i + 1)));
      g.output('p', B.pow(B.add(B.abs(x), 0.5), B.mul(x, 3)));
      g.output('q', B.pow(B.mul(x, 4), 3)); // a negative base, an odd integer exponent
      expect(importCalls(g, 1)).toEqual({}); // one fused map, in wasm
      const feeds = () => ({
        x: Float32Array.from({ length: 24 * cols }, (_, i) => Math.sin(i * 1.7) * 0.95),
      });
      expect(await diffAgainstInterp(g, feeds, 1, { wasm: 'all' })).toBeNull();
    }
  });

  it('reduction epilogues with lane math: log-sum-exp rows, a column log1p, a max’s tanh', () => {
    const g = new Graph('epi');
    const x = g.input('x', [14, 30]);
    g.output('lse', B.log(B.sum(B.exp(x), -1, true)));
    g.output('col', B.log1p(B.sum(B.mul(x, x), 0)));
    g.output('mx', B.tanh(B.max(x, -1)));
    expect(importCalls(g, 3)).toEqual({});
  });

  it('exact GELU: erf runs in wasm (it stayed TypeScript before), as lanes and as scalar code', async () => {
    for (const cols of [30, 3]) {
      const g = new Graph('gelu');
      const x = g.input('x', [24, cols]);
      g.output('y', B.mul(B.mul(x, 0.5), B.add(B.erf(B.mul(x, Math.SQRT1_2)), 1)));
      expect(importCalls(g, 1)).toEqual({});
      const feeds = () => ({
        x: Float32Array.from({ length: 24 * cols }, (_, i) => Math.sin(i) * 3),
      });
      expect(await diffAgainstInterp(g, feeds, 1, { wasm: 'all' })).toBeNull();
    }
  });
});
