// `gradc inspect <model.ts>`: the graph as text (printGraph), with --grad its backward pass and
// chain-rule provenance, with --kernels the fused kernels; or as DOT, SVG or an HTML page.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Graph } from '../ir/graph.ts';
import { printGraph } from '../ir/print.ts';
import { printProgram } from '../schedule/print.ts';
import { toProgram } from '../pipeline.ts';
import type { Parsed } from './args.ts';
import { bool, str } from './args.ts';
import type { Io } from './common.ts';
import { loadFromArgs } from './common.ts';
import { CliError } from './errors.ts';
import { withGradients } from './gradgraph.ts';
import { toDot } from './render/dot.ts';
import { toHtml, toSvg } from './render/svg.ts';
import { graphView } from './render/view.ts';

/** SVG from Graphviz when `dot` is installed, else gradc's own layered layout. */
export function renderSvg(g: Graph): string {
  const view = graphView(g);
  const res = spawnSync('dot', ['-Tsvg'], { input: toDot(view), encoding: 'utf8' });
  return res.status === 0 && res.stdout ? res.stdout : toSvg(view);
}

function render(g: Graph, format: string, kernels: boolean): string {
  const listing = () => printProgram(toProgram(g));
  switch (format) {
    case 'dot':
      return toDot(graphView(g));
    case 'svg':
      return renderSvg(g);
    case 'html':
      return toHtml(`graph ${g.name}`, renderSvg(g), [
        printGraph(g),
        ...(kernels ? [listing()] : []),
      ]);
    default:
      return kernels ? `${printGraph(g)}\n${listing()}` : printGraph(g);
  }
}

export async function runInspect(p: Parsed, io: Io): Promise<number> {
  const { graph } = await loadFromArgs(p, 'inspect');
  const g = bool(p, 'grad') ? withGradients(graph) : graph;
  const text = render(g, str(p, 'format') ?? 'text', bool(p, 'kernels'));
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
