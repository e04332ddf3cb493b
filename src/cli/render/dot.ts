// A graph as Graphviz DOT text: leaves as ellipses, ops as boxes, gradient nodes shaded,
// outputs and updates as sinks; node tooltips carry the user's line and chain-rule step.
import type { GraphView, ViewKind } from './view.ts';

const STYLE: Record<ViewKind, string> = {
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
    lines.push(`  ${n.id} [label=${q(label)}, ${STYLE[n.kind]}${tip}];`);
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
