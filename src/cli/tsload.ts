// Loading big CommonJS scripts with a V8 code cache: TypeScript's compiler (typescript.js, ~9 MB,
// for the model's type check) and prettier's standalone build with its TypeScript plugins (for
// `gradc compile`'s formatted output). V8 compiles that much code lazily as it runs: ~1.5 s of a
// first type check on an idle 2-core machine, ~0.1 s of a first format. Node 20 has no
// module.enableCompileCache, so each script is compiled with vm.Script's cachedData, and the
// cache is written after the work, when the functions it ran are compiled too: later runs in new
// processes start from their bytecode.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type ts from 'typescript';

export type Ts = typeof ts;

/** Where gradc keeps its caches (the type-check results and the V8 code caches). */
export const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/gradc', import.meta.url));

interface Loaded {
  readonly exports: unknown;
  readonly script: vm.Script;
  readonly cacheFile: string;
  /** The cache was missing or V8 rejected it: write a new one after the work. */
  stale: boolean;
  readonly usedCache: boolean;
}

/** Scripts loaded in this process by module specifier; null when it is not installed. */
const loaded = new Map<string, Loaded | null>();

/** The CommonJS module `specifier` (resolved from gradc) run from a code cache, or null. */
function loadCached(specifier: string): unknown {
  if (loaded.has(specifier)) return loaded.get(specifier)?.exports ?? null;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve(specifier);
  } catch {
    loaded.set(specifier, null);
    return null;
  }
  const stat = statSync(path);
  // The cache is valid for one file under one node (V8 also checks both itself).
  const key = createHash('sha1')
    .update([path, stat.size, stat.mtimeMs, process.version, process.arch].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = join(CACHE_DIR, `${cacheName(specifier)}-${key}.v8cache`);
  const cachedData = readOptional(cacheFile);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(path, 'utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: path, cachedData });
  const module = { exports: {} };
  const init = script.runInThisContext() as (...args: unknown[]) => void;
  init(module.exports, createRequire(path), module, path, dirname(path));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  loaded.set(specifier, { exports: module.exports, script, cacheFile, stale, usedCache: !stale });
  return module.exports;
}

/** 'prettier/plugins/estree' → 'prettier-plugins-estree': one cache file name per script. */
const cacheName = (specifier: string): string => specifier.replace(/[^a-z0-9.]+/gi, '-');

/** The compiler, or null when the optional peer dependency `typescript` is not installed. */
export function loadTypescript(): Ts | null {
  return loadCached('typescript') as Ts | null;
}

/** The part of prettier's API gradc uses (its standalone build takes the plugins explicitly). */
export interface Prettier {
  format(text: string, options: Readonly<Record<string, unknown>>): Promise<string>;
}

/**
 * Prettier's standalone build with the plugins that format TypeScript: the same printer as the
 * package's Node entry (which `import('prettier')` loads as ES modules, without a code cache).
 * Null when prettier is not installed.
 */
export function loadPrettier(): Prettier | null {
  const standalone = loadCached('prettier/standalone') as Prettier | null;
  const estree = loadCached('prettier/plugins/estree');
  const typescript = loadCached('prettier/plugins/typescript');
  if (!standalone || !estree || !typescript) return null;
  return {
    format: (text, options) =>
      standalone.format(text, { ...options, plugins: [estree, typescript] }),
  };
}

/** Whether this process loaded the compiler from a code cache V8 accepted (tests check it). */
export function codeCacheUsed(specifier = 'typescript'): boolean {
  return loaded.get(specifier)?.usedCache === true;
}

/**
 * Write the code caches that were missing or rejected (call after the work, so that the functions
 * it compiled are in them). Best effort: a read-only install just does not cache.
 */
export function saveCodeCaches(): void {
  for (const [specifier, l] of loaded) {
    if (!l?.stale) continue;
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Caches of other versions of the script or of node are dead weight (several MB each).
      const name = cacheName(specifier);
      for (const f of readdirSync(CACHE_DIR)) {
        const old =
          f.startsWith(`${name}-`) && /^[0-9a-f]{16}\.v8cache$/.test(f.slice(name.length + 1));
        if (old && join(CACHE_DIR, f) !== l.cacheFile) rmSync(join(CACHE_DIR, f), { force: true });
      }
      // Renamed into place: a concurrent gradc reads the old cache or the new one, never half.
      const tmp = `${l.cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, l.script.createCachedData());
      renameSync(tmp, l.cacheFile);
      l.stale = false;
    } catch {
      // Not cached: the next run compiles the script again.
    }
  }
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
