// Loss and accuracy curves as one standalone SVG file (hand-written SVG: no dependencies).
import type { EpochStats } from './fit.ts';

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
}

interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
  /** A y tick label, given the tick step (to choose the decimals). */
  readonly fmt: (v: number, step: number) => string;
  /** The x axis label (default epoch). */
  readonly xLabel?: string;
}

const W = 420;
const H = 300;
const M = { left: 56, right: 16, top: 32, bottom: 40 };
/** Legend rows sit between the title and the frame, so they never cover a curve. */
const ROW = 16;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => Number(v.toFixed(2)).toString();

/** 1, 2 or 5 times a power of ten: the "nice" step nearest to `raw`. */
export function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  if (f < 1.5) return p;
  if (f < 3) return 2 * p;
  return f < 7 ? 5 * p : 10 * p;
}

/** Decimals that show every multiple of a nice step exactly (0.05 → 2, 0.2 → 1, 5 → 0). */
export const decimals = (step: number): number =>
  Math.min(12, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));

/** Rounded y ticks (about 5) covering the panel's finite values; flat data gets a unit range. */
export function yTicks(series: readonly Series[]): number[] {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = all.length
    ? all.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [all[0]!, all[0]!])
    : [0, 1];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) [lo, hi] = [lo - 0.5, hi + 0.5];
  const step = niceStep((hi - lo) / 4);
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Legend entries packed into rows that fit the plot's width. */
function legendRows(series: readonly Series[], width: number): Series[][] {
  const rows: Series[][] = [[]];
  let used = 0;
  for (const s of series) {
    const w = 28 + s.name.length * 6.6;
    if (used > 0 && used + w > width) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1]!.push(s);
    used += w;
  }
  return rows;
}

/** One chart at horizontal offset `ox`: frame, rounded y ticks, epoch ticks, a line per series. */
function panel(p: Panel, ox: number, epochs: number, legend: number): string {
  const ticks = yTicks(p.series);
  const [lo, hi] = [ticks[0]!, ticks[ticks.length - 1]!];
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const top = M.top + legend * ROW;
  const [pw, ph] = [W - M.left - M.right, H - top - M.bottom];
  const sx = (i: number) => ox + M.left + (epochs <= 1 ? pw / 2 : (pw * i) / (epochs - 1));
  const sy = (v: number) => top + ph - (ph * (v - lo)) / (hi - lo);
  const parts = [
    `<text x="${ox + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${ox + M.left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ];
  for (const v of ticks) {
    const y = num(sy(v));
    parts.push(
      `<line x1="${ox + M.left}" y1="${y}" x2="${ox + M.left + pw}" y2="${y}" stroke="#eee"/>`,
      `<text x="${ox + M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(p.fmt(v, step))}</text>`,
    );
  }
  // Epoch labels at 1 and at multiples of a nice step (at most about 10 labels).
  const every = niceStep(Math.max(1, epochs / 10));
  for (let e = 1; e <= epochs; e++) {
    if (e !== 1 && e % every !== 0) continue;
    parts.push(
      `<text x="${num(sx(e - 1))}" y="${H - M.bottom + 16}" text-anchor="middle">${e}</text>`,
    );
  }
  const xLabel = esc(p.xLabel ?? 'epoch');
  parts.push(
    `<text x="${ox + M.left + pw / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text>`,
  );
  for (const s of p.series) {
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${num(sx(i))},${num(sy(v))}` : ''))
      .filter((q) => q !== '')
      .join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
  }
  legendRows(p.series, pw).forEach((row, r) => {
    let x = ox + M.left;
    const y = M.top + 4 + r * ROW;
    parts.push(`<g class="legend">`);
    for (const s of row) {
      parts.push(
        `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${s.color}" stroke-width="2"/>`,
        `<text x="${x + 22}" y="${y}" dominant-baseline="middle" fill="${s.color}">${esc(s.name)}</text>`,
      );
      x += 28 + s.name.length * 6.6;
    }
    parts.push('</g>');
  });
  return parts.join('\n');
}

/** Legend rows a panel needs. */
const rowsOf = (p: Panel) => legendRows(p.series, W - M.left - M.right).length;

/** An SVG with the loss curve on the left and the accuracy curves on the right. */
export function plotHistory(history: readonly EpochStats[], title = 'training'): string {
  const acc: Series[] = [
    { name: 'train', values: history.map((h) => h.accuracy), color: '#1f77b4' },
  ];
  if (history.some((h) => h.valAccuracy !== undefined)) {
    acc.push({
      name: 'validation',
      values: history.map((h) => h.valAccuracy ?? NaN),
      color: '#ff7f0e',
    });
  }
  const loss: Panel = {
    title: `${title}: loss`,
    series: [{ name: 'train', values: history.map((h) => h.loss), color: '#d62728' }],
    fmt: (v, step) => v.toFixed(decimals(step)),
  };
  const accuracy: Panel = {
    title: `${title}: accuracy`,
    series: acc,
    fmt: (v, step) => `${(100 * v).toFixed(decimals(100 * step))}%`,
  };
  const legend = Math.max(rowsOf(loss), rowsOf(accuracy)); // the same frame height side by side
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H}" viewBox="0 0 ${2 * W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(loss, 0, history.length, legend),
    panel(accuracy, W, history.length, legend),
    '</svg>',
    '',
  ].join('\n');
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

/** One recorded step's gradient norms (Progress.gradNorms from fit's onProgress). */
export interface GradNormRecord {
  readonly step: number;
  readonly norms: Readonly<Record<string, number>>;
}

/**
 * Per-param gradient-norm curves (log10, so vanishing and exploding gradients both show) over
 * the recorded steps, as a standalone SVG; `params` picks and orders the curves.
 */
export function plotGradNorms(
  records: readonly GradNormRecord[],
  title = 'gradient norms',
  params: readonly string[] = Object.keys(records[0]?.norms ?? {}),
  xLabel = 'recorded step',
): string {
  const series = params.map((name, k) => ({
    name,
    values: records.map((r) => Math.log10(r.norms[name] ?? NaN)),
    color: PALETTE[k % PALETTE.length]!,
  }));
  const p: Panel = {
    title,
    series,
    fmt: (v, step) => `1e${v.toFixed(decimals(step))}`,
    xLabel,
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(p, 0, records.length, rowsOf(p)),
    '</svg>',
    '',
  ].join('\n');
}
