// Generated code is deterministic: the same graph, emitted twice or built twice from scratch,
// gives byte-identical source.
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { addGradOutputs } from './harness.ts';
import { reluAdamStep, seedMlpStep } from './models.ts';

describe('deterministic output', () => {
  it('emitting one graph twice gives the same bytes', async () => {
    const { g } = reluAdamStep();
    expect((await emitTs(g)).source).toBe((await emitTs(g)).source);
  });

  it('building the graph twice from scratch gives the same bytes', async () => {
    expect((await emitTs(seedMlpStep().g)).source).toBe((await emitTs(seedMlpStep().g)).source);
    expect((await emitTs(reluAdamStep().g)).source).toBe((await emitTs(reluAdamStep().g)).source);
    for (const seed of [11, 12, 13]) {
      const build = () => {
        const f = fuzzGraph({ seed, nodes: 12 });
        addGradOutputs(f);
        return f.graph;
      };
      expect((await emitTs(build())).source).toBe((await emitTs(build())).source);
    }
  });
});
