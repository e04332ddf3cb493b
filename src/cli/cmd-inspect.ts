// `gradc inspect <model.ts>`: the graph as text (printGraph), with --grad its backward pass and
// chain-rule provenance, with --kernels the fused kernels; or as DOT, SVG or an HTML page.
import { spawnSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { printGraph } from '../index.ts';
import type { Graph } from '../index.ts';
import { kernelGroups, printProgram, toProgram } from '../internal.ts';
import type { Parsed } from './args.ts';
import { bool, str } from './args.ts';
import type { Io } from './common.ts';
import { loadFromArgs } from './common.ts';
import { checkOutputFile, GENERATED } from './guard.ts';
import { writeFilesAtomic } from './write.ts';
import { withGradients } from './gradgraph.ts';
import { toDot } from './render/dot.ts';
import { toHtml, toSvg } from './render/svg.ts';
import { graphView } from './render/view.ts';
import type { GraphView } from './render/view.ts';

/** The picture's view: with `kernels`, the optimized graph grouped by fused kernel. */
function viewOf(g: Graph, kernels: boolean): GraphView {
  if (!kernels) return graphView(g);
  const k = kernelGroups(g);
  return graphView(k.graph, k.kernels);
}

/** SVG from Graphviz when `dot` is installed, else gradc's own layered layout. */
export function renderSvg(g: Graph, kernels = false): string {
  const view = viewOf(g, kernels);
  const res = spawnSync('dot', ['-Tsvg'], { input: toDot(view), encoding: 'utf8' });
  return res.status === 0 && res.stdout ? res.stdout : toSvg(view);
}

function render(g: Graph, format: string, kernels: boolean): string {
  const listing = () => printProgram(toProgram(g));
  switch (format) {
    case 'dot':
      return toDot(viewOf(g, kernels));
    case 'svg':
      return renderSvg(g, kernels);
    case 'html':
      return toHtml(
        `graph ${g.name}`,
        renderSvg(g, kernels),
        [printGraph(g), ...(kernels ? [listing()] : [])],
        kernels,
      );
    default:
      return kernels ? `${printGraph(g)}\n${listing()}` : printGraph(g);
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

/** The listing with gradc's header, in the format's own comment syntax (see guard.ts). */
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
