// Code frames: the user's source line under an error message, with its line number.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The line `line` of `file` (and the one before it) as "  12 | text", or [] if unreadable. */
export function codeFrame(file: string, line: number, column?: number): string[] {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch {
    return [];
  }
  const all = text.split(/\r?\n/);
  if (line < 1 || line > all.length) return [];
  const width = String(line).length;
  const row = (n: number) => `  ${String(n).padStart(width)} | ${all[n - 1]}`;
  const out = line > 1 && all[line - 2]!.trim() ? [row(line - 1), row(line)] : [row(line)];
  if (column !== undefined) out.push(`  ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
  return out;
}
