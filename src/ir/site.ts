// Where the user created a node: the first stack frame outside gradc itself.
import { fileURLToPath } from 'node:url';

export interface Site {
  readonly file: string;
  readonly line: number;
}

const GRADC_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INTERNAL = [`${GRADC_ROOT}src/`, `${GRADC_ROOT}codegen/`, 'node:', 'node_modules'];

export const UNKNOWN_SITE: Site = Object.freeze({ file: '<unknown>', line: 0 });

/** Capture the user's file:line from the current stack (cheap enough to run per node). */
export function captureSite(): Site {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const raw of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/.exec(raw.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (INTERNAL.some((p) => file.startsWith(p) || file.includes(p))) continue;
    return { file: relativeFile(file), line: Number(m[2]) };
  }
  return UNKNOWN_SITE;
}

function relativeFile(file: string): string {
  const cwd = process.cwd() + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}

export function fmtSite(site: Site): string {
  return `${site.file}:${site.line}`;
}
