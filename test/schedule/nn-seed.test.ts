// The seed network written with `nn` (dense layers, quadratic cost, nn.trainStep) compiles to the
// same 9 kernels as the hand-written step, and its backward kernels cite the layers' call sites.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import * as nn from '../../src/nn/index.ts';
import { seedMlpStep } from '../codegen/models.ts';

function nnSeedStep() {
  const normal = { init: nn.standardNormal, biasInit: nn.standardNormal };
  return nn.trainStep({
    name: 'seed_mlp_nn',
    input: { shape: [10, 784] },
    target: { shape: [10, 10] },
    build: (x) => {
      const a1 = nn.dense(x, 30, { name: 'dense1', activation: 'sigmoid', ...normal }); // LAYER1
      return nn.dense(a1, 10, { name: 'dense2', activation: 'sigmoid', ...normal }); // LAYER2
    },
    loss: nn.quadraticCost,
    optimizer: nn.sgd(),
  });
}

describe('the seed network with nn', async () => {
  const { program: p, source } = await emitTs(nnSeedStep());
  const hand = await emitTs(seedMlpStep().g);

  it('has 9 kernels, as written by hand', () => {
    expect(hand.program.stats.kernels).toBe(9);
    expect(p.stats.kernels).toBe(9);
  });

  it("cites each layer's call site in the backward kernels that differentiate it", () => {
    // The weight-gradient kernels of layer 1 and layer 2 each cite their layer's line.
    const w1 = source.indexOf('∂L/∂dense1.W');
    const w2 = source.indexOf('∂L/∂dense2.W');
    expect(w1).toBeGreaterThan(-1);
    expect(w2).toBeGreaterThan(-1);
    expect(source.slice(w1, source.indexOf('function', w1))).toContain(siteOf('LAYER1'));
    expect(source.slice(w2, source.indexOf('function', w2))).toContain(siteOf('LAYER2'));
  });
});

/** `nn-seed.test.ts:N`, N the line of this file whose comment holds `tag`. */
function siteOf(tag: string): string {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  return `nn-seed.test.ts:${lines.findIndex((l) => l.includes(`// ${tag}`)) + 1}`;
}
