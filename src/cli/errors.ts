// CLI errors: a usage error (exit 2) or a failure (exit 1), each one clear message; and how any
// thrown value is reported (stack traces only with --verbose), with the user's line as a code frame.

// The error class itself, not the public barrel: reporting an error (or --help) stays light.
import { GraphError } from '../ir/errors.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A failure the user can fix (bad model, unwritable output …): exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** Extra lines shown under the message (e.g. a code frame). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A wrong command line: exit code 2, with a hint to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

const USER_CAUSED = new Set(['WgslLimitError', 'TargetUnavailableError', 'StaleParamsError']);

export interface Reported {
  readonly text: string;
  readonly exitCode: 1 | 2;
}

/** The text and exit code for an error escaping a command. */
export function reportError(e: unknown, verbose: boolean): Reported {
  const stack = verbose && e instanceof Error && e.stack ? [e.stack] : [];
  if (e instanceof UsageError) {
    const help = e.command ? `gradc ${e.command} --help` : 'gradc --help';
    return { text: lines(`gradc: ${e.message}`, [`(see ${help})`]), exitCode: 2 };
  }
  if (e instanceof CliError)
    return { text: lines(`gradc: ${e.message}`, [...e.details, ...stack]), exitCode: 1 };
  if (e instanceof GraphError) {
    const frame = e.site ? codeFrame(e.site.file, e.site.line) : [];
    return {
      text: lines(`gradc: ${e.code} error: ${e.message}`, [...frame, ...stack]),
      exitCode: 1,
    };
  }
  const msg = e instanceof Error ? e.message : String(e);
  // Errors of the backends that the user's graph or machine causes (too big for the device…).
  if (e instanceof Error && USER_CAUSED.has(e.name))
    return { text: lines(`gradc: ${msg}`, stack), exitCode: 1 };
  const where = verbose ? [] : ['(run with --verbose for the stack trace)'];
  return { text: lines(`gradc: internal error: ${msg}`, [...stack, ...where]), exitCode: 1 };
}

function lines(head: string, rest: readonly string[]): string {
  return [head, ...rest].join('\n') + '\n';
}

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
