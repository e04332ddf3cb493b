// Loading TypeScript's compiler (typescript.js, ~9 MB of CommonJS) with a V8 code cache. V8
// compiles that much code lazily as the checker runs: ~1.5 s of a first type check on an idle
// 2-core machine. Node 20 has no module.enableCompileCache, so the script is compiled with
// vm.Script's cachedData, and the cache is written after a check, when the parser and checker
// functions are compiled too: later checks in new processes start from their bytecode.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type ts from 'typescript';

export type Ts = typeof ts;

/** Where gradc keeps its caches (the type-check results and TypeScript's V8 code cache). */
export const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/gradc', import.meta.url));

interface Loaded {
  readonly ts: Ts;
  readonly script: vm.Script;
  readonly cacheFile: string;
  /** The cache was missing or V8 rejected it: write a new one after the check. */
  readonly stale: boolean;
  readonly usedCache: boolean;
}

let loaded: Loaded | null | undefined;

/** The compiler, or null when the optional peer dependency `typescript` is not installed. */
export function loadTypescript(): Ts | null {
  if (loaded !== undefined) return loaded?.ts ?? null;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('typescript');
  } catch {
    loaded = null;
    return null;
  }
  const stat = statSync(path);
  // The cache is valid for one typescript.js under one node (V8 also checks both itself).
  const key = createHash('sha1')
    .update([path, stat.size, stat.mtimeMs, process.version, process.arch].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = join(CACHE_DIR, `typescript-${key}.v8cache`);
  const cachedData = readOptional(cacheFile);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(path, 'utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: path, cachedData });
  const module = { exports: {} as Ts };
  const init = script.runInThisContext() as (...args: unknown[]) => void;
  init(module.exports, createRequire(path), module, path, dirname(path));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  loaded = { ts: module.exports, script, cacheFile, stale, usedCache: !stale };
  return loaded.ts;
}

/** Whether this process loaded the compiler from a code cache V8 accepted (tests check it). */
export function codeCacheUsed(): boolean {
  return loaded?.usedCache === true;
}

/**
 * Write the code cache if the loaded one was missing or rejected (call after a check, so that the
 * functions the check compiled are in it). Best effort: a read-only install just does not cache.
 */
export function saveTypescriptCache(): void {
  if (!loaded?.stale) return;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Caches of other typescript or node versions are dead weight (several MB each).
    for (const f of readdirSync(CACHE_DIR)) {
      if (/^typescript-.*\.v8cache$/.test(f) && join(CACHE_DIR, f) !== loaded.cacheFile)
        rmSync(join(CACHE_DIR, f), { force: true });
    }
    // Renamed into place: a concurrent gradc reads the old cache or the new one, never half.
    const tmp = `${loaded.cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, loaded.script.createCachedData());
    renameSync(tmp, loaded.cacheFile);
    loaded = { ...loaded, stale: false };
  } catch {
    // Not cached: the next check compiles the compiler again.
  }
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
