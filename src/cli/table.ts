// Aligned text columns for CLI reports.

/** Rows padded to column widths, two spaces apart, trailing space trimmed. */
export function table(rows: readonly (readonly string[])[], head?: readonly string[]): string[] {
  const all = head ? [head, ...rows] : rows;
  const cols = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) =>
    Math.max(0, ...all.map((r) => (r[c] ?? '').length)),
  );
  return all.map((r) =>
    r
      .map((s, c) => s.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}
