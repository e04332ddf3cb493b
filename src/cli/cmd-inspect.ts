// `gradc inspect <model.ts>`: the graph as text (printGraph), with --grad its backward pass and
// chain-rule provenance, with --kernels the fused kernels; or as DOT, SVG or an HTML page.
// `gradc explain <model.ts>`: the backward pass gradc derived, as equations in the user's names
// (text, Markdown with LaTeX, or an HTML page typeset by KaTeX), linked to kernels and lines.
import { spawnSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { printGraph } from '../index.ts';
import type { Graph } from '../index.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  emitTs,
  explain,
  graphView,
  kernelGroups,
  kernelsOf,
  printProgram,
  toDot,
  toGraphPage,
  toHtml,
  toMarkdown,
  toProgram,
  toSvg,
  toText,
} from '../internal.ts';
import type { GraphView } from '../internal.ts';
import type { Parsed } from './args.ts';
import { bool, str } from './args.ts';
import type { Io } from './common.ts';
import { loadFromArgs, withGradients } from './common.ts';
import { CliError } from './errors.ts';
import { checkOutputFile, GENERATED, writeFilesAtomic } from './write.ts';

/**
 * What a picture and its text show. With `kernels`: the optimized graph the kernels come from
 * (not the graph as built), its nodes grouped by fused kernel, and its listing with the kernels.
 */
interface Shown {
  readonly view: GraphView;
  readonly text: readonly string[];
}

function shown(g: Graph, kernels: boolean): Shown {
  if (!kernels) return { view: graphView(g), text: [printGraph(g)] };
  const k = kernelGroups(g);
  const program = toProgram(k.graph, { optimize: false }); // the graph is already optimized
  return {
    view: graphView(k.graph, k.kernels),
    text: [printGraph(k.graph), printProgram(program)],
  };
}

/** SVG from Graphviz when `dot` is installed, else gradc's own layered layout. */
function svgOf(view: GraphView): string {
  const res = spawnSync('dot', ['-Tsvg'], { input: toDot(view), encoding: 'utf8' });
  return res.status === 0 && res.stdout ? res.stdout : toSvg(view);
}

/** The text `gradc inspect` prints or writes for `g` (before its header). */
export function render(g: Graph, format: string, kernels: boolean): string {
  const { view, text } = shown(g, kernels);
  switch (format) {
    case 'dot':
      return toDot(view);
    case 'svg':
      return svgOf(view);
    case 'html':
      return toGraphPage(`graph ${g.name}`, svgOf(view), text, kernels);
    default:
      return text.join('\n');
  }
}

export async function runInspect(p: Parsed, io: Io): Promise<number> {
  const out = str(p, 'out');
  const { graph, model } = await loadFromArgs(p, 'inspect');
  if (out) checkOutputFile(out, 'text', [model.file]);
  const g = bool(p, 'grad') ? withGradients(graph) : graph;
  const format = str(p, 'format') ?? 'text';
  const text = render(g, format, bool(p, 'kernels'));
  if (!out) {
    io.out(text);
    return 0;
  }
  const file = resolve(out);
  await writeFilesAtomic(dirname(file), [{ path: basename(file), text: marked(text, format) }]);
  io.out(`wrote ${out}\n`);
  return 0;
}

/** The listing with gradc's header, in the format's own comment syntax (see write.ts). */
function marked(text: string, format: string): string {
  const note = `${GENERATED} inspect. Do not edit: regenerate it instead.`;
  switch (format) {
    case 'dot':
      return `// ${note}\n${text}`;
    case 'svg':
    case 'html': {
      // After an XML declaration, which must stay first.
      const m = /^<\?xml[^>]*>\n?/.exec(text);
      const at = m ? m[0].length : 0;
      return `${text.slice(0, at)}<!-- ${note} -->\n${text.slice(at)}`;
    }
    default:
      return `# ${note}\n${text}`;
  }
}

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
