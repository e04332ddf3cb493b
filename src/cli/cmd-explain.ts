// `gradc explain <model.ts>`: the backward pass gradc derived, as equations in the user's names
// (text, Markdown with LaTeX, or an HTML page typeset by KaTeX), linked to kernels and lines.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Graph } from '../index.ts';
import { emitTs, explain, kernelsOf, toHtml, toMarkdown, toProgram, toText } from '../internal.ts';
import type { Parsed } from './args.ts';
import { str } from './args.ts';
import type { Io } from './common.ts';
import { loadFromArgs } from './common.ts';
import { CliError } from './errors.ts';
import { withGradients } from './gradgraph.ts';

/** The explanation of `g` in a format; HTML embeds the generated module and the sources. */
export async function explainGraph(g: Graph, format: string, generated?: string): Promise<string> {
  const e = explain(withGradients(g));
  const path = generated ?? `gen/${g.name.replace(/[^A-Za-z0-9_]/g, '_')}.ts`;
  if (format !== 'html') {
    const kernels = kernelsOf(toProgram(g)).map((k) => k.name);
    return format === 'md' ? toMarkdown(e, { kernels, generated: path }) : toText(e, { kernels });
  }
  const { source, program } = await emitTs(g);
  const sources = new Map<string, string>();
  for (const s of e.sections)
    for (const eq of s.equations) {
      const file = eq.site.replace(/:\d+$/, '');
      if (!sources.has(file) && existsSync(file)) sources.set(file, readFileSync(file, 'utf8'));
    }
  const kernels = kernelsOf(program).map((k) => k.name);
  return toHtml(e, { kernels, generated: { path, source }, sources });
}

export async function runExplain(p: Parsed, io: Io): Promise<number> {
  const { graph } = await loadFromArgs(p, 'explain');
  const text = await explainGraph(graph, str(p, 'format') ?? 'text', str(p, 'generated'));
  const out = str(p, 'out');
  if (!out) {
    io.out(text);
    return 0;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new CliError(`cannot write '${out}': ${(e as Error).message}`);
  }
  io.out(`wrote ${out}\n`);
  return 0;
}
