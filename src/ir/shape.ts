// Static shapes: sizes, strides, numpy broadcasting, axis normalization.
export type Shape = readonly number[];

export function size(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements). */
export function strides(shape: Shape): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** numpy broadcasting of two shapes, or null when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Can `from` be broadcast to `to` (right-aligned, dims equal or 1)? */
export function canBroadcastTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[i + off]);
}

/** Normalize possibly negative axes against a rank; returns null on an out-of-range axis. */
export function normAxes(axes: readonly number[], rank: number): number[] | null {
  const out: number[] = [];
  for (const a of axes) {
    const x = a < 0 ? a + rank : a;
    if (!Number.isInteger(x) || x < 0 || x >= rank || out.includes(x)) return null;
    out.push(x);
  }
  return out.sort((p, q) => p - q);
}

/** Unravel a flat row-major index into a multi-index (written into `out`). */
export function unravel(flat: number, shape: Shape, out: number[]): void {
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    out[i] = flat % d;
    flat = Math.floor(flat / d);
  }
}
