// Golden generated code: the seed MLP training step as a real .ts file (typechecked and
// prettier-checked with the project), and strict typechecking of emitted modules in memory.
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { addGradOutputs, addSgdUpdates } from './harness.ts';
import { reluAdamStep, seedMlpStep } from './models.ts';
import { typecheckModules } from './typecheck.ts';

describe('golden generated code', () => {
  it('seed 784-30-10 MLP training step (SGD, batch 10)', async () => {
    const { source } = await emitTs(seedMlpStep().g);
    await expect(source).toMatchFileSnapshot('../golden/seed-mlp-step.ts');
  });

  it('emitted modules pass tsc --strict with no unused code', async () => {
    const files: Record<string, string> = {
      mlp: (await emitTs(seedMlpStep().g)).source,
      adam: (await emitTs(reluAdamStep().g)).source,
    };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const f = fuzzGraph({ seed, nodes: 14 });
      if (seed % 2) addGradOutputs(f);
      else addSgdUpdates(f);
      files[`fuzz${seed}`] = (await emitTs(f.graph)).source;
    }
    expect(typecheckModules(files)).toEqual([]);
  });
});
