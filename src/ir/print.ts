// The text form of a graph: one node per line with shape, dtype, attributes and the user's line,
// plus chain-rule provenance for gradient nodes. Stable: names follow print order, not node ids.
import type { Graph } from './graph.ts';
import type { Attrs, AttrValue, Node } from './node.ts';
import { formatStep } from './provenance.ts';
import { fmtSite } from './site.ts';
import { topo } from './traverse.ts';

export interface PrintOptions {
  /** Print the user's file:line for each node (default true). */
  readonly sites?: boolean;
}

function fmtAttr(v: AttrValue): string {
  if (Array.isArray(v))
    return v.length > 8 ? `[${v.slice(0, 8).join(',')},… ${v.length} values]` : `[${v.join(',')}]`;
  return String(v);
}

function fmtAttrs(node: Node): string {
  if (node.op === 'input' || node.op === 'param') return '';
  const attrs: Attrs = node.attrs;
  const parts = Object.entries(attrs).map(([k, v]) => `${k}=${fmtAttr(v)}`);
  return parts.length ? `[${parts.join(' ')}]` : '';
}

/** Names for printing: labels where given (deduplicated), else %0, %1, … in print order. */
export function printNames(nodes: readonly Node[]): Map<Node, string> {
  const names = new Map<Node, string>();
  const used = new Set<string>();
  let k = 0;
  for (const n of nodes) {
    let name = n.label ?? `%${k++}`;
    if (used.has(name)) {
      let i = 2;
      while (used.has(`${name}_${i}`)) i++;
      name = `${name}_${i}`;
    }
    used.add(name);
    names.set(n, name);
  }
  return names;
}

export function printGraph(g: Graph, opts: PrintOptions = {}): string {
  const nodes = topo(g.roots());
  const names = printNames(nodes);
  const nameOf = (n: Node) => names.get(n) ?? `%?${n.id}`;
  const lines: [string, string][] = [];
  for (const n of nodes) {
    const type = `${n.dtype}[${n.shape.join(',')}]`;
    let text: string;
    if (n.op === 'input' || n.op === 'param') {
      const init = n.op === 'param' ? ` ~ ${fmtInit(g, nameOf(n))}` : '';
      text = `${n.op} ${nameOf(n)}: ${type}${init}`;
    } else {
      const args = n.inputs.map(nameOf).join(' ');
      text = `${nameOf(n)}: ${type} = ${n.op}${fmtAttrs(n)}${args ? ' ' + args : ''}`;
    }
    const notes: string[] = [];
    if (opts.sites !== false && n.meta.site.line > 0) notes.push(fmtSite(n.meta.site));
    if (n.meta.prov) notes.push(formatStep(n.meta.prov, nameOf));
    lines.push([text, notes.join('  ')]);
  }
  for (const [k, n] of g.outputs) lines.push([`output ${k} = ${nameOf(n)}`, '']);
  for (const [k, n] of g.updates) lines.push([`update ${k} ← ${nameOf(n)}`, '']);
  const width = Math.min(72, Math.max(...lines.map(([t]) => t.length)));
  const body = lines.map(([t, c]) => (c ? `  ${t.padEnd(width)}  # ${c}` : `  ${t}`));
  return `graph ${g.name} {\n${body.join('\n')}\n}\n`;
}

function fmtInit(g: Graph, name: string): string {
  const init = g.params.get(name)?.init;
  if (!init) return '?';
  switch (init.kind) {
    case 'zeros':
      return 'zeros';
    case 'constant':
      return `constant(${init.value})`;
    case 'normal':
      return `normal(${init.mean}, ${init.std})`;
    case 'uniform':
      return `uniform(${init.lo}, ${init.hi})`;
    case 'values':
      return `values(${init.values.length})`;
  }
}
