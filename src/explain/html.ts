// An Explanation as one self-contained HTML page: equations typeset by KaTeX (its CSS and woff2
// fonts inlined), each linked to the generated kernel and the user's source line, both listed
// on the page with anchors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';
import type { Explanation } from './derive.ts';
import { kernelFor, latexOf } from './format.ts';

export interface HtmlOptions {
  readonly kernels: readonly string[];
  /** The generated TypeScript module, listed with an anchor per kernel. */
  readonly generated?: { readonly path: string; readonly source: string };
  /** The user's source files by path (as in the sites), listed with an anchor per line. */
  readonly sources: ReadonlyMap<string, string>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const anchor = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

/** KaTeX's stylesheet with its woff2 fonts as data URIs (the page needs no other file). */
function katexCss(): string {
  const dist = join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');
  const css = readFileSync(join(dist, 'katex.min.css'), 'utf8');
  return css
    .replace(/,url\(fonts\/[^)]+\.(?:woff|ttf)\) format\("[a-z]+"\)/g, '')
    .replace(/url\(fonts\/([^)]+\.woff2)\)/g, (_m, file: string) => {
      const data = readFileSync(join(dist, 'fonts', file)).toString('base64');
      return `url(data:font/woff2;base64,${data})`;
    });
}

function listing(
  id: string,
  title: string,
  text: string,
  lineId: (line: string, i: number) => string | null,
): string {
  const lines = text.split('\n').map((l, i) => {
    const a = lineId(l, i);
    return `<span class="ln"${a ? ` id="${a}"` : ''}><i>${i + 1}</i>${esc(l)}</span>`;
  });
  return `<section id="${id}"><h2>${esc(title)}</h2><pre>${lines.join('\n')}</pre></section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}
.eq{margin:1em 0}.links{font-size:12px;color:#555}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}
.ln{display:block}.ln i{display:inline-block;width:3em;color:#999;font-style:normal}.ln:target{background:#ffe9a8}`;

export function toHtml(e: Explanation, o: HtmlOptions): string {
  const body: string[] = [`<h1>${esc(e.graph)}: the backward pass gradc derived</h1>`];
  for (const s of e.sections) {
    if (s.equations.length === 0) continue;
    body.push(`<h2>${esc(s.title)}</h2>`);
    for (const eq of s.equations) {
      const math = katex.renderToString(latexOf(eq), { displayMode: true, throwOnError: true });
      const [file, line] = eq.site.split(/:(?=\d+$)/);
      const src = o.sources.has(file!)
        ? `<a href="#src-${anchor(file!)}-L${line}">${esc(eq.site)}</a>`
        : esc(eq.site);
      const k = kernelFor(eq, o.kernels);
      const kernel =
        k && o.generated ? ` · kernel <a href="#kernel-${k}"><code>${k}</code></a>` : '';
      body.push(`<div class="eq">${math}<div class="links">${src}${kernel}</div></div>`);
    }
  }
  if (o.generated) {
    body.push(
      listing('generated', `generated: ${o.generated.path}`, o.generated.source, (l) => {
        const m = /^\s*function ([A-Za-z0-9_]+)\(/.exec(l);
        return m ? `kernel-${m[1]}` : null;
      }),
    );
  }
  for (const [file, text] of o.sources) {
    body.push(
      listing(`src-${anchor(file)}`, file, text, (_l, i) => `src-${anchor(file)}-L${i + 1}`),
    );
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(e.graph)} — gradc explain</title>
<style>${katexCss()}</style><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
