// A drawable view of a graph (`gradc inspect --dot|--svg|--html`): the nodes print order names,
// with a kind for styling, and the edges (including outputs and updates as sink nodes); shared by
// the SVG renderer (graph-svg.ts), and as Graphviz DOT text here.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { printNames } from '../ir/print.ts';
import { formatStep } from '../ir/provenance.ts';
import { topo } from '../ir/traverse.ts';
import type { KernelGroup } from '../pipeline.ts';

export type ViewKind = 'input' | 'param' | 'op' | 'grad' | 'output';

export interface ViewNode {
  readonly id: string;
  /** First line: the name; second: op and type. */
  readonly title: string;
  readonly detail: string;
  readonly kind: ViewKind;
  /** Hover text: user line and chain-rule step. */
  readonly tooltip: string;
  /** Index into GraphView.clusters: the fused kernel that computes it (none for leaves). */
  readonly cluster?: number;
}

export interface GraphView {
  readonly name: string;
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly (readonly [string, string])[];
  /** The fused kernels' names, when drawn grouped by kernel (`inspect --kernels`). */
  readonly clusters: readonly string[];
}

function kindOf(n: Node): ViewKind {
  if (n.op === 'input' || n.op === 'param') return n.op;
  return n.meta.prov ? 'grad' : 'op';
}

export function graphView(g: Graph, kernels: readonly KernelGroup[] = []): GraphView {
  const clusterOf = new Map<Node, number>();
  kernels.forEach((k, i) => {
    for (const n of k.nodes) clusterOf.set(n, i);
  });
  const order = topo(g.roots());
  const names = printNames(order);
  const nameOf = (n: Node) => names.get(n) ?? `%?${n.id}`;
  const ids = new Map(order.map((n, i) => [n, `n${i}`]));
  const idOf = (n: Node) => ids.get(n)!;
  const nodes: ViewNode[] = order.map((n) => {
    const site = n.meta.site.line > 0 ? `${n.meta.site.file}:${n.meta.site.line}` : '';
    const step = n.meta.prov ? formatStep(n.meta.prov, nameOf) : '';
    return {
      id: idOf(n),
      title: nameOf(n),
      detail: `${n.op === 'input' || n.op === 'param' ? '' : `${n.op} `}${n.dtype}[${n.shape.join(',')}]`,
      kind: kindOf(n),
      tooltip: [site, step].filter(Boolean).join('\n'),
      ...(clusterOf.has(n) ? { cluster: clusterOf.get(n)! } : {}),
    };
  });
  const edges: [string, string][] = [];
  for (const n of order) for (const x of new Set(n.inputs)) edges.push([idOf(x), idOf(n)]);
  const sinks = [
    ...[...g.outputs].map(([k, n]) => [`output ${k}`, n] as const),
    ...[...g.updates].map(([k, n]) => [`update ${k}`, n] as const),
  ];
  sinks.forEach(([title, n], i) => {
    nodes.push({ id: `s${i}`, title, detail: '', kind: 'output', tooltip: '' });
    edges.push([idOf(n), `s${i}`]);
  });
  return { name: g.name, nodes, edges, clusters: kernels.map((k) => k.name) };
}

// The view as Graphviz DOT text: leaves as ellipses, ops as boxes, gradient nodes shaded,
// outputs and updates as sinks; node tooltips carry the user's line and chain-rule step.
const DOT_STYLE: Record<ViewKind, string> = {
  input: 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
  param: 'shape=ellipse, style=filled, fillcolor="#fef3c7"',
  op: 'shape=box, style="rounded"',
  grad: 'shape=box, style="rounded,filled", fillcolor="#fde2e2"',
  output: 'shape=plaintext',
};

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function toDot(v: GraphView): string {
  const lines = [
    `digraph ${q(v.name)} {`,
    '  rankdir=TB;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [arrowsize=0.6];',
  ];
  for (const n of v.nodes) {
    const label = n.detail ? `${n.title}\n${n.detail}` : n.title;
    const tip = n.tooltip ? `, tooltip=${q(n.tooltip)}` : '';
    lines.push(`  ${n.id} [label=${q(label)}, ${DOT_STYLE[n.kind]}${tip}];`);
  }
  // One dashed box per fused kernel around the nodes it computes.
  v.clusters.forEach((name, i) => {
    const members = v.nodes.filter((n) => n.cluster === i).map((n) => n.id);
    if (members.length === 0) return;
    lines.push(`  subgraph cluster_${i} {`);
    lines.push(`    label=${q(`kernel ${name}`)}; style="rounded,dashed"; color="#6366f1";`);
    lines.push(`    ${members.join('; ')};`);
    lines.push('  }');
  });
  for (const [a, b] of v.edges) lines.push(`  ${a} -> ${b};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
