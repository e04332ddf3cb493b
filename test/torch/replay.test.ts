// gradc against PyTorch without torch: graphs whose float64 values, gradients and Hessian-vector
// products torch computed (test/fixtures/torch/, made by scripts/torch-diff/run.ts, whose header
// says how to regenerate them) replayed on the interpreter and the compiled TypeScript.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonGraph } from '../support/graph-json.ts';
import { diffWithTorch } from '../support/torch-diff.ts';
import type { Target, TorchResult } from '../support/torch-diff.ts';

interface Fixture {
  readonly graph: JsonGraph;
  readonly torch: TorchResult;
}

const load = (name: string): Fixture[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}.json`, import.meta.url), 'utf8'));

/**
 * Every graph on the interpreter (float64, tolerance 1e-7 relative) and compiled with wasm 'auto'
 * and 'off' (float32 tolerance).
 */
async function replay(fixtures: readonly Fixture[]): Promise<string[]> {
  const failures: string[] = [];
  const targets: Target[] = ['interp', 'wasm-auto', 'wasm-off'];
  for (const f of fixtures) {
    const fails = await diffWithTorch(f.graph, f.torch, targets);
    failures.push(...fails.map((m) => `${f.graph.name}: ${m}`));
  }
  return failures;
}

describe('gradc matches PyTorch (float64 autodiff) on stored graphs', () => {
  it.each(['fuzz', 'quantized', 'edges'])('%s graphs', async (name) => {
    const fixtures = load(name);
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    // Derivatives are compared too: every graph has leaves to differentiate.
    expect(fixtures.every((f) => f.graph.wrt.length > 0 || f.graph.name === 'edge_i32')).toBe(true);
    expect(await replay(fixtures)).toEqual([]);
  });

  it('a wrong torch value is caught (the replay compares what it claims to)', async () => {
    const [f] = load('edges').filter((x) => x.graph.name === 'edge_maximum');
    const grads = f!.torch.grads!.map((g) => [...g]);
    grads[0]![0] = 1; // the tie at (0, 0) gives half of the loss weight to each operand
    const broken = { ...f!.torch, grads };
    const fails = await diffWithTorch(f!.graph, broken, ['interp']);
    expect(fails.join('\n')).toMatch(/interp grad_0: element 0/);
  });
});
