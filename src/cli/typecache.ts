// A cache of clean type-checks: a model whose text and whose imported files (by mtime) are
// unchanged since it last checked clean is not checked again. Best effort: any failure = miss.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(
  new URL('../../node_modules/.cache/gradc/typecheck.json', import.meta.url),
);

type Entries = Record<string, readonly (readonly [string, number])[]>;

function readCache(): Entries {
  try {
    return JSON.parse(readFileSync(CACHE, 'utf8')) as Entries;
  } catch {
    return {};
  }
}

function keyOf(file: string): string | null {
  try {
    return createHash('sha1').update(file).update('\0').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

const mtime = (f: string): number => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};

/** True when `file` checked clean before and nothing it depends on changed since. */
export function knownClean(file: string): boolean {
  const key = keyOf(file);
  const deps = key ? readCache()[key] : undefined;
  return deps !== undefined && deps.every(([f, t]) => mtime(f) === t);
}

/** Remember that `file` checked clean against `deps` (the program's source files). */
export function rememberClean(file: string, deps: readonly string[]): void {
  const key = keyOf(file);
  if (!key) return;
  const entries = readCache();
  const keys = Object.keys(entries);
  if (keys.length > 200) for (const k of keys.slice(0, 100)) delete entries[k];
  entries[key] = deps.map((f) => [f, mtime(f)] as const);
  try {
    mkdirSync(dirname(CACHE), { recursive: true });
    writeFileSync(CACHE, JSON.stringify(entries));
  } catch {
    // A read-only install just does not cache.
  }
}
