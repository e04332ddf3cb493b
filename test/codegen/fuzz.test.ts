// Differential fuzzing: 200 seeded random graphs over every op, compiled to TypeScript, must match
// the float64 interpreter — forward outputs, gradients of a scalar loss, and SGD param updates.
import { describe, expect, it } from 'vitest';
import { OP_NAMES } from '../../src/ops/table.ts';
import { FUZZ_EXCLUDED, fuzzGraph } from '../../src/testing/fuzz.ts';
import { addGradOutputs, addSgdUpdates, ATOL, diffAgainstInterp, RTOL } from './harness.ts';

const SEEDS = 200;
/** Every TRAIN_EVERY-th seed becomes a training step (in-place updates, two steps). */
const TRAIN_EVERY = 5;

describe(`compiled TypeScript matches the interpreter (rtol ${RTOL}, atol ${ATOL})`, () => {
  it(`on ${SEEDS} fuzzed graphs: outputs, gradients and updates`, async () => {
    const failures: string[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const f = fuzzGraph({ seed, nodes: 10 });
      const train = seed % TRAIN_EVERY === 0;
      if (train) addSgdUpdates(f);
      else addGradOutputs(f);
      const m = await diffAgainstInterp(f.graph, () => f.inputs, train ? 2 : 1);
      if (m) failures.push(`seed ${seed}: ${m}`);
    }
    expect(failures).toEqual([]);
  });

  it('generates the same graph for the same seed and covers every op', () => {
    const ops = new Set<string>();
    for (let seed = 0; seed < SEEDS; seed++) {
      for (const n of fuzzGraph({ seed, nodes: 10 }).graph.nodes) ops.add(n.op);
    }
    const a = fuzzGraph({ seed: 7 });
    const b = fuzzGraph({ seed: 7 });
    expect(a.graph.nodes.map((n) => `${n.op}${JSON.stringify(n.attrs)}`)).toEqual(
      b.graph.nodes.map((n) => `${n.op}${JSON.stringify(n.attrs)}`),
    );
    // The op table is the list: every op is fuzzed unless excluded with a reason.
    const want = OP_NAMES.filter((op) => !FUZZ_EXCLUDED[op]);
    expect([...ops].sort()).toEqual([...want].sort());
  });
});
