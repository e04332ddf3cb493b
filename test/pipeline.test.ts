// The one pipeline: every caller goes through src/pipeline.ts, renderers only render, and fusion
// decisions are objects with reasons, made once (sibling loops included).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as B from '../src/builder/ops.ts';
import { Graph } from '../src/ir/graph.ts';
import { toProgram } from '../src/pipeline.ts';
import { planFusion } from '../src/schedule/fuse.ts';
import { kernelsOf } from '../src/schedule/kernel.ts';

const ROOT = new URL('../', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const rel = join(dir, f);
    if (statSync(join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return f.endsWith('.ts') ? [rel] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from '([^']+)'|import\('([^']+)'\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );

describe('one pipeline', () => {
  it('renderers import no graph pass, fusion or scheduling stage', () => {
    const stages = /passes\/|schedule\/(fuse|program|lower|memory|siblings)\.ts|src\/pipeline\.ts/;
    const renderers = [...tsFiles('codegen')].filter((f) => !f.endsWith('load.ts'));
    expect(renderers.length).toBeGreaterThan(10);
    for (const f of renderers) {
      const bad = importsOf(f).filter((i) => stages.test(i) && !f.endsWith('/emit.ts'));
      expect(bad, f).toEqual([]);
    }
    // The renderer entry points import only type declarations from the pipeline.
    for (const f of ['codegen/ts/emit.ts', 'codegen/wgsl/emit.ts']) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text).not.toMatch(/^import \{[^}]*\} from '[./]*src\/(pipeline|passes)/m);
      expect(text).not.toMatch(/optimize\(|planFusion\(|toProgram\(/);
    }
  });

  it('the WGSL side imports no TS renderer and nothing by URL', () => {
    for (const f of tsFiles('codegen/wgsl')) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(
        importsOf(f).filter((i) => /\.\.\/ts\/(emit|module|kernels|expr)/.test(i)),
        f,
      ).toEqual([]);
      expect(text, f).not.toMatch(/import\(\s*url/);
    }
  });

  it('stages run only in src/pipeline.ts (callers go through it)', () => {
    const callers = [...tsFiles('src'), ...tsFiles('codegen'), ...tsFiles('bench')].filter(
      (f) => !/^src\/(pipeline|passes\/pipeline)\.ts$/.test(f),
    );
    for (const f of callers) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text, f).not.toMatch(
        /(?<!function )\b(optimize|planFusion|lowerKernels|planMemory)\(\w/,
      );
    }
  });
});

describe('fusion decisions', () => {
  it('same-shape loops join once, on the graph, with a recorded reason', () => {
    const g = new Graph('two');
    const x = g.input('x', [6]);
    const a = B.exp(x).named('a');
    g.output('a', a);
    g.output('b', B.mul(a, 3).named('b'));
    g.output('c', B.sin(B.broadcastTo(B.sum(a), [6])).named('c'));
    const plan = planFusion(g);
    const sib = plan.decisions.filter((d) => d.kind === 'sibling');
    expect(sib.map((d) => d.reason)).toEqual(['b joins the loop of a (same shape [6])']);
    expect(plan.notes).toContain('sibling: b joins the loop of a (same shape [6])');
    expect(plan.kernels.map((k) => k.map((h) => h.label))).toEqual(
      [['a', 'b'], ['sum'], ['c']].map((k) => k.map((l) => (l === 'sum' ? undefined : l))),
    );
    const ks = kernelsOf(toProgram(g, { optimize: false }));
    expect(ks.map((k) => k.kind)).toEqual(['map', 'reduce', 'map']);
    // b reads a in registers: its store has no load of a's buffer.
    expect(JSON.stringify(ks[0]!.kind === 'map' && ks[0]!.stores[1])).not.toContain('"buf":"a"');
  });

  it('a loop that reads a sibling at another element stays apart, and so does its reason', () => {
    const g = new Graph('shifted');
    const x = g.input('x', [2, 3]);
    const a = B.exp(x).named('a');
    g.output('a', a);
    g.output('t', B.reshape(B.transpose(B.reshape(a, [3, 2])), [2, 3]).named('t'));
    const plan = planFusion(g);
    expect(plan.decisions.filter((d) => d.kind === 'sibling')).toEqual([]);
    expect(plan.kernels).toHaveLength(2);
  });
});
