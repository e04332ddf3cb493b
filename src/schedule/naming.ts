// Descriptive names for buffers and kernels, from the user's labels, layer scopes and provenance.
// (Renderers sanitize them into identifiers; these are only required to be unique.)
import type { Node } from '../ir/node.ts';
import { formatStep } from '../ir/provenance.ts';
import { fmtSite } from '../ir/site.ts';
import { factsOf } from '../ops/dispatch.ts';

export class UniqueNames {
  private readonly used = new Map<string, number>();
  take(base: string): string {
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n + 1}`;
  }
}

/**
 * The name of a node: its label, or for a gradient node `d_<name of what it differentiates>`;
 * an unlabeled value is named by the labeled op it feeds (`dsigmoid_a1`: ∂L/∂ the input of a1).
 */
export function nodeName(n: Node): string | undefined {
  if (n.label) return n.label;
  const prov = n.meta.prov;
  if (!prov) return undefined;
  // The provenance record says whose cotangent this is: the forward node's input, or itself.
  const fwd = prov.forward;
  const target = prov.input === null ? fwd : (fwd.inputs[prov.input] ?? fwd);
  if (target.label) return `d_${target.label}`;
  if (target !== fwd && fwd.label) return `d${fwd.op}_${fwd.label}`;
  return `d_${target.op}`;
}

/** e.g. "dense1_matmul_bias_sigmoid", "W1_next_matmul"; `named` overrides the head's own name. */
export function kernelBaseName(head: Node, nodes: readonly Node[], named?: string): string {
  const prefix = named ?? nodeName(head) ?? (head.meta.scope || head.op);
  const ops: string[] = [];
  for (const n of nodes) {
    if (factsOf(n.op).quietName) continue;
    const isBias = n.op === 'add' && n.inputs.some((x) => x.op === 'broadcast');
    const op = isBias ? 'bias' : n.op;
    if (!ops.includes(op)) ops.push(op);
  }
  const shown = ops.length > 4 ? [...ops.slice(0, 4), 'etc'] : ops;
  return [prefix, ...shown].join('_');
}

/** The comment block of a kernel: what it fuses, which chain-rule steps, which user lines. */
export function kernelNotes(nodes: readonly Node[]): string[] {
  const nameOf = (n: Node) => nodeName(n) ?? n.op;
  const notes: string[] = [];
  const steps = new Set<string>();
  for (const n of nodes) if (n.meta.prov) steps.add(formatStep(n.meta.prov, nameOf));
  for (const s of steps) notes.push(s);
  const sites = [
    ...new Set(
      nodes
        .map((n) => n.meta.site)
        .filter((s) => s.line > 0)
        .map(fmtSite),
    ),
  ];
  if (sites.length)
    notes.push(`from ${sites.slice(0, 4).join(', ')}${sites.length > 4 ? ', …' : ''}`);
  return notes;
}
