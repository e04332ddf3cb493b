// Help texts: `gradc --help` lists the commands; `gradc <command> --help` lists its flags; the
// aligned text columns they and the command reports print; and gradc's version, from its
// package.json (two levels above src/cli in a checkout, three above dist/src/cli in the package).
import type { CommandSpec } from './args.ts';
import { GLOBAL_FLAGS } from './args.ts';
import { existsSync, readFileSync } from 'node:fs';

export function mainHelp(commands: readonly CommandSpec[], version: string): string {
  const rows = commands.map((c) => [`  ${c.name}`, c.summary]);
  return (
    [
      `gradc ${version}: a symbolic computation-graph compiler`,
      '',
      'usage: gradc <command> <model.ts> [options]',
      '',
      'commands:',
      ...table(rows),
      '',
      'A model file is a TypeScript module whose default export is a Graph or a function',
      '({ batch, mode }) => Graph; `export const train = { data, epochs, lr }` makes it trainable.',
      '',
      'options: --help, --version, --verbose (stack traces), --no-typecheck',
      "run 'gradc <command> --help' for a command's options",
    ].join('\n') + '\n'
  );
}

export function commandHelp(c: CommandSpec): string {
  const flags = { ...c.flags, ...GLOBAL_FLAGS };
  const rows = Object.entries(flags).map(([name, f]) => [
    `  --${name}${f.arg ? ` ${f.arg}` : ''}`,
    f.help,
  ]);
  return (
    [
      `usage: gradc ${c.name} ${c.positionals.join(' ')} [options]`,
      '',
      c.summary,
      '',
      'options:',
      ...table(rows),
    ].join('\n') + '\n'
  );
}

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

let cached: string | undefined;

export function gradcVersion(): string {
  if (cached) return cached;
  for (const rel of ['../../package.json', '../../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'gradc' && pkg.version) return (cached = pkg.version);
  }
  return (cached = 'unknown');
}
