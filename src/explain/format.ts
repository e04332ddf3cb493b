// An Explanation as terminal text (Unicode math) or Markdown (LaTeX between $$): each equation
// followed by the user's source line and the generated kernel that computes it.
import type { Equation, Explanation } from './derive.ts';
import { ident } from './derive.ts';
import type { Math } from './math.ts';
import { LATEX, render, TEXT } from './math.ts';

/** The kernel that computes an equation: the first key naming a kernel (name or name_…). */
export function kernelFor(eq: Equation, kernels: readonly string[]): string | undefined {
  for (const key of eq.kernelKeys) {
    const k = kernels.find((name) => ident(name) === key || ident(name).startsWith(`${key}_`));
    if (k) return ident(k);
  }
  return undefined;
}

export interface FormatOptions {
  /** The compiled step's kernel names, for the links. */
  readonly kernels: readonly string[];
  /** Path of the generated module the kernel links point into (Markdown). */
  readonly generated?: string;
}

const lhsOf = (m: Math, n: typeof TEXT) => render(m, n);

function textEquation(eq: Equation, o: FormatOptions): string[] {
  const rel = eq.rel === '←' ? '←' : '=';
  const lines = [`  ${lhsOf(eq.lhs, TEXT)} ${rel} ${render(eq.rhs, TEXT)}`];
  for (const w of eq.where) {
    const rel = w.rel === ':' ? ':' : ' =';
    lines.push(`      where ${render(w.name, TEXT)}${rel} ${render(w.def, TEXT)}`);
  }
  const k = kernelFor(eq, o.kernels);
  lines.push(`      ↳ ${eq.site}${k ? `, kernel ${k}` : ''}`);
  return lines;
}

export function toText(e: Explanation, o: FormatOptions): string {
  const out = [`${e.graph}: the backward pass gradc derived`];
  for (const s of e.sections) {
    if (s.equations.length === 0) continue;
    out.push('', s.title);
    for (const eq of s.equations) out.push(...textEquation(eq, o));
  }
  return `${out.join('\n')}\n`;
}

/** The LaTeX of one equation (what Markdown shows between $$ and the HTML page typesets). */
export function latexOf(eq: Equation): string {
  const rel = eq.rel === '←' ? ' \\leftarrow ' : ' = ';
  const main = `${render(eq.lhs, LATEX)}${rel}${render(eq.rhs, LATEX)}`;
  const where = eq.where.map(
    (w) => `${render(w.name, LATEX)}${w.rel === ':' ? ':\\ ' : ' = '}${render(w.def, LATEX)}`,
  );
  return where.length ? `${main} \\quad\\text{where } ${where.join(',\\ ')}` : main;
}

/** `file:line` as a Markdown link to that line. */
function siteLink(site: string): string {
  const m = /^(.*):(\d+)$/.exec(site);
  return m ? `[${site}](${m[1]}#L${m[2]})` : site;
}

export function toMarkdown(e: Explanation, o: FormatOptions): string {
  const out = [`# ${e.graph}: the backward pass gradc derived`];
  for (const s of e.sections) {
    if (s.equations.length === 0) continue;
    out.push('', `## ${s.title}`, '');
    for (const eq of s.equations) {
      const k = kernelFor(eq, o.kernels);
      const kernel = k ? ` · kernel [\`${k}\`](${o.generated ?? ''}#${k})` : '';
      out.push(`$$${latexOf(eq)}$$`, '', `<sub>${siteLink(eq.site)}${kernel}</sub>`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
