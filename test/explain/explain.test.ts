// `gradc explain`: the seed network's backward pass matches the hand derivation term by term
// (δ² = (1/m)(a² − y) ⊙ σ'(z²), δ¹ = (δ² · W²ᵀ) ⊙ σ'(z¹), ∂L/∂W = aᵀ · δ, ∂L/∂b = Σ δ, W ← W − η ∂L/∂W);
// golden text for the seed MLP, the softmax/cross-entropy network and the CNN; Markdown and a
// KaTeX-typeset HTML page with working kernel and source-line links.
import { describe, expect, test } from 'vitest';
import cnn from '../../examples/cnn/model.ts';
import kerasMlp from '../../examples/keras-mlp/model.ts';
import seedMlp from '../../examples/seed-mlp/model.ts';
import { explainGraph } from '../../src/cli/cmd-explain.ts';
import { explain } from '../../src/explain/derive.ts';
import { TEXT, render } from '../../src/explain/math.ts';

/** Every equation of a section as `lhs rel rhs` text. */
function lines(g: ReturnType<typeof seedMlp>, title: string): string[] {
  const s = explain(g).sections.find((x) => x.title.startsWith(title))!;
  return s.equations.map((e) => `${render(e.lhs, TEXT)} ${e.rel} ${render(e.rhs, TEXT)}`);
}

describe('the seed network, term by term', () => {
  const g = () => seedMlp({ mode: 'train' });

  test('forward: z = a·W + b, a = σ(z), quadratic cost averaged over the batch of 10', () => {
    expect(lines(g(), 'Forward')).toEqual([
      'dense1.z = x · dense1.W + dense1.b',
      'dense1.a = σ(dense1.z)',
      'dense2.z = dense1.a · dense2.W + dense2.b',
      'dense2.a = σ(dense2.z)',
      'loss = (1/10) Σ_batch (1/2)‖dense2.a − y‖²',
    ]);
  });

  test("backward: BP1 and BP2 with σ' = σ(1 − σ), the output layer first", () => {
    expect(lines(g(), 'Backward')).toEqual([
      'δ_dense2 = (1/10)(dense2.a − y) ⊙ dense2.a(1 − dense2.a)',
      'δ_dense1 = (δ_dense2 · dense2.Wᵀ) ⊙ dense1.a(1 − dense1.a)',
    ]);
    const back = explain(g()).sections[1]!.equations;
    expect(back.map((e) => e.where.map((w) => render(w.name, TEXT)))).toEqual([
      ["σ'(dense2.z)"],
      ["σ'(dense1.z)"],
    ]);
  });

  test('gradients (BP3, BP4) and the SGD update with the learning rate', () => {
    expect(lines(g(), 'Parameter')).toEqual([
      '∂L/∂dense1.W = xᵀ · δ_dense1',
      '∂L/∂dense1.b = Σ_batch δ_dense1',
      '∂L/∂dense2.W = dense1.aᵀ · δ_dense2',
      '∂L/∂dense2.b = Σ_batch δ_dense2',
    ]);
    expect(lines(g(), 'Update')).toEqual([
      'dense1.W ← dense1.W − lr · ∂L/∂dense1.W',
      'dense1.b ← dense1.b − lr · ∂L/∂dense1.b',
      'dense2.W ← dense2.W − lr · ∂L/∂dense2.W',
      'dense2.b ← dense2.b − lr · ∂L/∂dense2.b',
    ]);
  });
});

describe('golden explanations', () => {
  test.each([
    ['seed-mlp', () => seedMlp({ mode: 'train' })],
    ['keras-mlp', () => kerasMlp({ mode: 'train' })],
    ['cnn', () => cnn({ mode: 'train' })],
  ] as const)('%s', async (name, build) => {
    const text = await explainGraph(build(), 'text');
    await expect(text).toMatchFileSnapshot(`../golden/explain-${name}.txt`);
  });

  test('softmax + cross-entropy collapses to ŷ − y', () => {
    expect(lines(kerasMlp({ mode: 'train' }), 'Backward')[0]).toBe(
      'δ_dense2 = (1/32)(ŷ − onehot(y))',
    );
    expect(lines(kerasMlp({ mode: 'train' }), 'Backward')[1]).toBe(
      'δ_dense1 = (δ_dense2 · dense2.Wᵀ) ⊙ [dense1.z > 0]',
    );
  });
});

describe('formats', () => {
  test('Markdown: LaTeX between $$, links to the source line and the kernel', async () => {
    const md = await explainGraph(seedMlp({ mode: 'train' }), 'md', 'gen/seed_mlp.ts');
    expect(md).toContain(
      '$$\\delta_{\\mathrm{dense1}} = \\left(\\delta_{\\mathrm{dense2}} \\cdot \\mathrm{dense2.W}^{\\top}\\right) \\odot \\mathrm{dense1.a}\\left(1 - \\mathrm{dense1.a}\\right)',
    );
    expect(md).toMatch(
      /\[examples\/seed-mlp\/model\.ts:14\]\(examples\/seed-mlp\/model\.ts#L14\) · kernel \[`d_dense1_z_[a-z_]+`\]\(gen\/seed_mlp\.ts#d_dense1_z_[a-z_]+\)/,
    );
  });

  test('HTML: KaTeX markup, and every kernel and source link has its anchor on the page', async () => {
    const html = await explainGraph(seedMlp({ mode: 'train' }), 'html');
    const equations = explain(seedMlp({ mode: 'train' })).sections.flatMap((s) => s.equations);
    expect(html.match(/<span class="katex-display">/g)?.length).toBe(equations.length);
    expect(html).toContain('url(data:font/woff2;base64,'); // fonts inlined: one file
    const links = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links.filter((l) => l.startsWith('kernel-')).length).toBeGreaterThan(8);
    expect(links).toContain('src-examples-seed-mlp-model-ts-L14');
    for (const l of new Set(links)) expect(html).toContain(`id="${l}"`);
  });
});
