// Differential fuzzing of the wasm path: seeded random graphs over every op with every map,
// reduce and matmul kernel forced into wasm ('all'), against the float64 interpreter (forward
// outputs, gradients, SGD updates over two steps) and against the TypeScript kernels.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import {
  addGradOutputs,
  addSgdUpdates,
  ATOL,
  diffAgainstInterp,
  mismatch,
  RTOL,
} from '../codegen/harness.ts';

const SEEDS = 60;
const TRAIN_EVERY = 4;
/** Every TS_EVERY-th seed is also run through the TS kernels and compared output by output. */
const TS_EVERY = 4;

describe(`wasm kernels match the interpreter and the TS kernels (rtol ${RTOL}, atol ${ATOL})`, () => {
  it(`on ${SEEDS} fuzzed graphs: outputs, gradients and updates`, async () => {
    const failures: string[] = [];
    let compared = 0;
    for (let seed = 1000; seed < 1000 + SEEDS; seed++) {
      const f = fuzzGraph({ seed, nodes: 10 });
      const train = seed % TRAIN_EVERY === 0;
      if (train) addSgdUpdates(f);
      else addGradOutputs(f);
      const m = await diffAgainstInterp(f.graph, () => f.inputs, train ? 2 : 1, { wasm: 'all' });
      if (m) failures.push(`seed ${seed}: ${m}`);
      if (seed % TS_EVERY !== 0) continue;
      const [w, t] = await Promise.all([
        compile(f.graph, { wasm: 'all' }),
        compile(f.graph, { wasm: 'off' }),
      ]);
      const [a, b] = train
        ? await Promise.all([w.step(f.inputs), t.step(f.inputs)])
        : await Promise.all([w.run(f.inputs), t.run(f.inputs)]);
      for (const [name, want] of Object.entries(b)) {
        const d = mismatch(a[name]!, want);
        if (d) failures.push(`seed ${seed}, wasm vs TS, ${name}: ${d}`);
        compared++;
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(SEEDS / TS_EVERY);
  });
});
