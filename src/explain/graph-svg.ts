// A graph as a standalone SVG picture, laid out in layers (longest path from the leaves, nodes
// ordered by the mean position of their inputs). Used when Graphviz `dot` is not installed.
import type { GraphView, ViewKind, ViewNode } from './graph-view.ts';

const FILL: Record<ViewKind, string> = {
  input: '#dbeafe',
  param: '#fef3c7',
  op: '#ffffff',
  grad: '#fde2e2',
  output: '#f3f4f6',
};
const [CHAR_W, BOX_H, GAP_X, GAP_Y, PAD] = [6.6, 34, 18, 46, 20];

interface Placed {
  readonly node: ViewNode;
  x: number;
  y: number;
  readonly w: number;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function layers(v: GraphView): Placed[][] {
  const preds = new Map<string, string[]>(v.nodes.map((n) => [n.id, []]));
  for (const [a, b] of v.edges) preds.get(b)!.push(a);
  const depth = new Map<string, number>();
  for (const n of v.nodes)
    depth.set(n.id, Math.max(-1, ...preds.get(n.id)!.map((p) => depth.get(p)!)) + 1);
  if (v.clusters.length > 0) {
    // Grouped by kernel: computed nodes sink to just above their first consumer (as late as
    // possible), so a kernel's broadcasts and constants sit beside it, not in the top rows.
    const succs = new Map<string, string[]>(v.nodes.map((n) => [n.id, []]));
    for (const [a, b] of v.edges) succs.get(a)!.push(b);
    for (const n of [...v.nodes].reverse()) {
      const next = succs.get(n.id)!;
      if (n.cluster === undefined || next.length === 0) continue;
      depth.set(n.id, Math.min(...next.map((c) => depth.get(c)!)) - 1);
    }
  }
  const rows: Placed[][] = [];
  for (const n of v.nodes) {
    const w = Math.max(n.title.length, n.detail.length) * CHAR_W + 16;
    (rows[depth.get(n.id)!] ??= []).push({ node: n, x: 0, y: 0, w });
  }
  const at = new Map<string, Placed>();
  rows.forEach((row, r) => {
    const center = (p: Placed) => {
      const xs = preds.get(p.node.id)!.map((id) => at.get(id)!.x + at.get(id)!.w / 2);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    };
    if (r > 0) row.sort((a, b) => center(a) - center(b));
    // A kernel's nodes side by side in each row, so its frame encloses few others.
    const first = new Map<number, number>();
    const key = row.map((p, i) => {
      const c = p.node.cluster;
      if (c === undefined) return i;
      if (!first.has(c)) first.set(c, i);
      return first.get(c)!;
    });
    const order = row.map((_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b);
    row.splice(0, row.length, ...order.map((i) => row[i]!));
    let x = 0;
    for (const p of row) {
      p.x = x;
      p.y = r * (BOX_H + GAP_Y);
      x += p.w + GAP_X;
      at.set(p.node.id, p);
    }
  });
  return rows;
}

function box(p: Placed): string {
  const n = p.node;
  const rx = n.kind === 'input' || n.kind === 'param' ? 16 : 5;
  const title = n.tooltip ? `<title>${esc(n.tooltip)}</title>` : '';
  const cx = p.x + p.w / 2;
  const text = n.detail
    ? `<text x="${cx}" y="${p.y + 14}" font-weight="bold">${esc(n.title)}</text>` +
      `<text x="${cx}" y="${p.y + 27}" fill="#4b5563">${esc(n.detail)}</text>`
    : `<text x="${cx}" y="${p.y + 21}">${esc(n.title)}</text>`;
  return (
    `<g>${title}<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${BOX_H}" rx="${rx}" ` +
    `fill="${FILL[n.kind]}" stroke="#6b7280"/>${text}</g>`
  );
}

const CLUSTER_PAD = 6;

/** A dashed frame around each fused kernel's nodes, labelled with the kernel's name. */
function clusterFrames(v: GraphView, at: ReadonlyMap<string, Placed>): string[] {
  return v.clusters.flatMap((name, i) => {
    const members = v.nodes.filter((n) => n.cluster === i).map((n) => at.get(n.id)!);
    if (members.length === 0) return [];
    const x0 = Math.min(...members.map((p) => p.x)) - CLUSTER_PAD;
    const y0 = Math.min(...members.map((p) => p.y)) - CLUSTER_PAD - 10;
    const x1 = Math.max(...members.map((p) => p.x + p.w)) + CLUSTER_PAD;
    const y1 = Math.max(...members.map((p) => p.y + BOX_H)) + CLUSTER_PAD;
    return [
      `<g class="kernel"><title>${esc(`kernel ${name}`)}</title>` +
        `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" rx="8" fill="#eef2ff" fill-opacity="0.5" stroke="#6366f1" stroke-dasharray="4 3"/>` +
        `<text x="${x0 + 4}" y="${y0 + 9}" font-size="9" fill="#4338ca">${esc(name)}</text></g>`,
    ];
  });
}

export function toSvg(v: GraphView): string {
  const rows = layers(v);
  const widths = rows.map((r) => r.reduce((s, p) => s + p.w + GAP_X, -GAP_X));
  const width = Math.max(200, ...widths) + 2 * PAD;
  rows.forEach((row, r) => {
    for (const p of row) [p.x, p.y] = [p.x + (width - widths[r]!) / 2, p.y + PAD];
  });
  const at = new Map(rows.flat().map((p) => [p.node.id, p]));
  const height = rows.length * (BOX_H + GAP_Y) - GAP_Y + 2 * PAD;
  const edges = v.edges.map(([a, b]) => {
    const [s, t] = [at.get(a)!, at.get(b)!];
    const [x1, y1, x2, y2] = [s.x + s.w / 2, s.y + BOX_H, t.x + t.w / 2, t.y];
    const dy = (y2 - y1) / 2;
    return `<path d="M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}" marker-end="url(#arrow)"/>`;
  });
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
      `<title>${esc(v.name)}</title>`,
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
      `<g font-family="Helvetica, Arial, sans-serif">${clusterFrames(v, at).join('')}</g>`,
      `<g fill="none" stroke="#9ca3af">${edges.join('')}</g>`,
      `<g font-family="Helvetica, Arial, sans-serif" font-size="11" text-anchor="middle">${[...at.values()].map(box).join('')}</g>`,
      '</svg>',
    ].join('\n') + '\n'
  );
}

const KIND_NAMES: Record<ViewKind, string> = {
  input: 'input',
  param: 'param',
  op: 'op',
  grad: 'gradient (from grad)',
  output: 'output / update',
};

/** The key to the picture's colours (and to the kernel frames when it has them). */
function legend(kernels: boolean): string {
  const swatch = (fill: string, stroke: string, dash = '') =>
    `<svg width="22" height="14"><rect x="1" y="1" width="20" height="12" rx="3" fill="${fill}" stroke="${stroke}"${dash}/></svg>`;
  const items = (Object.keys(FILL) as ViewKind[]).map(
    (k) => `<li>${swatch(FILL[k], '#6b7280')} ${KIND_NAMES[k]}</li>`,
  );
  if (kernels) {
    items.push(
      `<li>${swatch('#eef2ff', '#6366f1', ' stroke-dasharray="4 3"')} one fused kernel</li>`,
    );
  }
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** Wheel zooms at the pointer, dragging pans, double-click resets: the SVG's viewBox changes. */
const PAN_ZOOM = `(() => {
  const svg = document.querySelector('#picture svg');
  if (!svg) return;
  const vb = svg.viewBox.baseVal;
  const home = [vb.x, vb.y, vb.width, vb.height];
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  const at = (e) => {
    const r = svg.getBoundingClientRect();
    return [vb.x + ((e.clientX - r.left) / r.width) * vb.width, vb.y + ((e.clientY - r.top) / r.height) * vb.height];
  };
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const [px, py] = at(e);
    const f = e.deltaY > 0 ? 1.2 : 1 / 1.2;
    vb.x = px - (px - vb.x) * f;
    vb.y = py - (py - vb.y) * f;
    vb.width *= f;
    vb.height *= f;
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (e) => { drag = at(e); svg.setPointerCapture(e.pointerId); });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const [px, py] = at(e);
    vb.x -= px - drag[0];
    vb.y -= py - drag[1];
  });
  svg.addEventListener('pointerup', () => { drag = null; });
  svg.addEventListener('dblclick', () => { [vb.x, vb.y, vb.width, vb.height] = home; });
})();`;

/** A page with the picture (pan and zoom), its legend, and the text listings under it. */
export function toGraphPage(
  title: string,
  svg: string,
  listings: readonly string[],
  kernels = false,
): string {
  const pres = listings.map((t) => `<pre>${esc(t)}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px}pre{background:#f9fafb;padding:12px;overflow:auto}
#picture{border:1px solid #e5e7eb;height:70vh;overflow:hidden}#picture svg{width:100%;height:100%;cursor:grab;touch-action:none}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:16px;font-size:13px}.legend li{display:flex;align-items:center;gap:6px}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${legend(kernels)}
<p class="hint">Scroll to zoom, drag to pan, double-click to reset.</p>
<div id="picture">
${svg}
</div>
${pres}
<script>${PAN_ZOOM}</script>
</body>
</html>
`;
}
