// Hostile user names (quotes, comment terminators, line breaks, code, reserved words, non-ASCII,
// names that collide after sanitizing) compile to valid, strictly typed code that runs correctly.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { emitTs } from '../../src/pipeline.ts';
import { grad } from '../../src/autodiff/grad.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import * as init from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import { diffAgainstInterp } from './harness.ts';
import { typecheckModules } from './typecheck.ts';

const INPUTS = [
  'x"quote',
  "it's",
  'a-b',
  'a_b',
  'class',
  '"); process.exit(1); //',
  'line\nbreak */ end',
  'Ω',
  'acc',
  'ws',
];
const PARAMS = [
  'function',
  '重み',
  '*/ evil /*',
  'p\u2028q\r\n',
  '',
  '0start',
  'constructor',
  'i0',
  'Math',
];

/** A training step over every hostile name: each feeds a term of the loss and gets an update. */
function hostileGraph(): Graph {
  const g = new Graph('hostile "graph"\n*/');
  const terms: Node[] = [];
  const xs = INPUTS.map((n) => g.input(n, [2, 3]));
  PARAMS.forEach((n, i) => {
    const p = g.param(n, [3], init.values([0.1 * i, -0.2, 0.3]));
    const x = xs[i % xs.length]!;
    const y = B.tanh(B.add(B.mul(x, p), xs[(i + 3) % xs.length]!)).named(`${n} → out */`);
    g.output(`${n}\n"out"`, y);
    terms.push(B.sum(B.mul(y, y)));
  });
  const loss = g.output(
    'loss "total" */',
    terms.reduce((a, b) => B.add(a, b)),
  );
  const ps = PARAMS.map((n) => g.params.get(n)!.node);
  grad(loss, ps).forEach((d, i) => g.update(PARAMS[i]!, B.sub(ps[i]!, B.mul(d, 0.1))));
  return g;
}

/** Identifiers, string literals and comments of a module, from the TypeScript scanner. */
function tokens(source: string): { idents: Set<string>; comments: string[] } {
  const scanner = ts.createScanner(
    ts.ScriptTarget.ES2022,
    false,
    ts.LanguageVariant.Standard,
    source,
  );
  const idents = new Set<string>();
  const comments: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
    if (t === ts.SyntaxKind.Identifier) idents.add(scanner.getTokenText());
    if (t === ts.SyntaxKind.SingleLineCommentTrivia || t === ts.SyntaxKind.MultiLineCommentTrivia)
      comments.push(scanner.getTokenText());
  }
  return { idents, comments };
}

describe('hostile names', async () => {
  const g = hostileGraph();
  const { source } = await emitTs(g);

  it('emit strictly typed TypeScript', () => {
    expect(typecheckModules({ hostile: source })).toEqual([]);
  });

  it('never leave user text outside comments and string literals', () => {
    const { idents, comments } = tokens(source);
    expect(idents.has('process')).toBe(false);
    expect(idents.has('exit')).toBe(false);
    for (const c of comments) expect(c, c).not.toMatch(/[\r\n\u2028\u2029]/);
  });

  it('run and match the interpreter, updates included', async () => {
    const feeds = (k: number) =>
      Object.fromEntries(INPUTS.map((n, i) => [n, [1, -2, 3, 0.5, k, i].map((v) => v / 4)]));
    expect(await diffAgainstInterp(g, feeds, 2)).toBeNull();
  });
});
