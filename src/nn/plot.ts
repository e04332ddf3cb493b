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
  /** Format of the y tick labels. */
  readonly fmt: (v: number) => string;
  /** The x axis label (default epoch). */
  readonly xLabel?: string;
}

const W = 420;
const H = 300;
const M = { left: 56, right: 16, top: 32, bottom: 40 };

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => Number(v.toFixed(2)).toString();

/** The y range of the panel's finite values, widened when flat so the line stays visible. */
function yRange(series: readonly Series[]): [number, number] {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return [0, 1];
  let [lo, hi] = all.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [all[0]!, all[0]!]);
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** One chart at horizontal offset `ox`: frame, 5 y ticks, epoch ticks, a polyline per series. */
function panel(p: Panel, ox: number, epochs: number): string {
  const [lo, hi] = yRange(p.series);
  const [pw, ph] = [W - M.left - M.right, H - M.top - M.bottom];
  const sx = (i: number) => ox + M.left + (epochs <= 1 ? pw / 2 : (pw * i) / (epochs - 1));
  const sy = (v: number) => M.top + ph - (ph * (v - lo)) / (hi - lo);
  const parts = [
    `<text x="${ox + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${ox + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    const y = num(sy(v));
    parts.push(
      `<line x1="${ox + M.left}" y1="${y}" x2="${ox + M.left + pw}" y2="${y}" stroke="#eee"/>`,
      `<text x="${ox + M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(p.fmt(v))}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += every) {
    parts.push(
      `<text x="${num(sx(i))}" y="${H - M.bottom + 16}" text-anchor="middle">${i + 1}</text>`,
    );
  }
  const xLabel = esc(p.xLabel ?? 'epoch');
  parts.push(
    `<text x="${ox + M.left + pw / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text>`,
  );
  p.series.forEach((s, k) => {
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${num(sx(i))},${num(sy(v))}` : ''))
      .filter((q) => q !== '')
      .join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    const ly = M.top + 14 + 16 * k;
    parts.push(
      `<text x="${ox + M.left + pw - 8}" y="${ly}" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`,
    );
  });
  return parts.join('\n');
}

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
    fmt: (v) => v.toPrecision(3),
  };
  const accuracy: Panel = {
    title: `${title}: accuracy`,
    series: acc,
    fmt: (v) => `${(100 * v).toFixed(1)}%`,
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H}" viewBox="0 0 ${2 * W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(loss, 0, history.length),
    panel(accuracy, W, history.length),
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
  const p: Panel = { title, series, fmt: (v) => `1e${v.toFixed(1)}`, xLabel };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(p, 0, records.length),
    '</svg>',
    '',
  ].join('\n');
}
