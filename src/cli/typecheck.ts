// Type-checking a model file with the TypeScript compiler API (tsx only strips types): syntax and
// type errors in the model file itself, reported as file:line:col with a code frame. Clean checks
// are cached: a model whose text and imported files (by mtime) are unchanged is not checked again
// (best effort: any failure of the cache is a miss).
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type ts from 'typescript';
import { CliError, codeFrame } from './errors.ts';
import type { Ts } from './tsload.ts';
import { CACHE_DIR, loadTypescript, saveCodeCaches } from './tsload.ts';
import type { CheckResult } from './typecheck-child.ts';

const options = (ts: Ts): ts.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  isolatedModules: true,
  types: [],
  lib: ['lib.es2022.d.ts'],
});

/**
 * Throw a CliError listing the model file's syntax or type errors (at most 5), if any. In this
 * process: `gradc` itself checks beside the compile (typecheck-child.ts).
 */
export function typecheckModel(file: string): void {
  if (knownClean(file)) return;
  // Loaded on demand: the compiler takes a moment to load, and a cached clean check skips it.
  // TypeScript is an optional peer dependency: without it models are only transpiled (by tsx).
  const ts = loadTypescript();
  if (!ts) return;
  try {
    check(ts, file);
  } finally {
    saveCodeCaches();
  }
}

/**
 * Start checking the model file in a child process; the promise rejects with the CliError of
 * typecheckModel. The check costs about as much CPU as the rest of `gradc compile`, so on two
 * cores running both side by side about halves a first compile's wall time. A cached clean check
 * starts nothing; a child that cannot start or crashes is replaced by a check in this process.
 */
export function startTypecheck(file: string): Promise<void> {
  const started = early.get(file);
  early.delete(file);
  return started ?? fork1(file);
}

const early = new Map<string, Promise<void>>();

/**
 * Start the check of `file` for the startTypecheck to come (main.ts calls this as soon as the
 * command line names the model, before the compiler's own modules load: ~0.15 s sooner).
 */
export function startTypecheckEarly(file: string): void {
  const check = fork1(file);
  check.catch(() => undefined); // startTypecheck's caller awaits it
  early.set(file, check);
}

function fork1(file: string): Promise<void> {
  if (knownClean(file)) return Promise.resolve();
  // From a source checkout (tests, the repository's bin) the child is TypeScript too: tsx loads it.
  const source = import.meta.url.endsWith('.ts');
  const child = new URL(`./typecheck-child.${source ? 'ts' : 'js'}`, import.meta.url);
  const tsx = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    const inProcess = () => {
      try {
        typecheckModel(file);
        resolve();
      } catch (e) {
        reject(e);
      }
    };
    const proc = fork(fileURLToPath(child), [file], {
      execArgv: source ? ['--import', tsx()] : [],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
    });
    let answered = false;
    proc.on('message', (m: CheckResult) => {
      answered = true;
      if (m.ok) resolve();
      else reject(new CliError(m.message, m.details));
    });
    // 'close' follows every message (it waits for the IPC channel); 'error' when fork failed.
    const orInProcess = () => {
      if (!answered) inProcess();
      answered = true;
    };
    proc.on('close', orInProcess).on('error', orInProcess);
  });
}

function check(ts: Ts, file: string): void {
  const opts = options(ts);
  readModel(file); // an unreadable model is its own error
  const program = ts.createProgram({
    rootNames: [file],
    options: opts,
    host: modelHost(ts, file, opts),
  });
  const source = program.getSourceFile(file)!;
  // Syntax errors alone when there are any: type errors after them would only repeat them.
  const syntax = program.getSyntacticDiagnostics(source);
  if (syntax.length > 0) throw failure(ts, file, syntax, 'syntax');
  const diags = program.getSemanticDiagnostics(source);
  if (diags.length > 0) throw failure(ts, file, diags, 'type');
  const deps = program.getSourceFiles().map((f) => f.fileName);
  rememberClean(
    file,
    deps.filter((f) => !f.includes('/node_modules/typescript/lib/')),
  );
}

function readModel(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read model file '${file}': ${(e as Error).message}`);
  }
}

function failure(ts: Ts, file: string, diags: readonly ts.Diagnostic[], kind: string): CliError {
  const shown = diags.slice(0, 5).flatMap((d) => describe(ts, d));
  const more = diags.length > 5 ? [`… and ${diags.length - 5} more`] : [];
  const count = diags.length === 1 ? `a ${kind} error` : `${diags.length} ${kind} errors`;
  return new CliError(`the model ${relative(process.cwd(), file)} has ${count}`, [
    ...shown,
    ...more,
  ]);
}

/**
 * A compiler host that resolves bare package imports only from the model file itself: gradc's
 * own sources import typescript, ts-morph and prettier, whose huge declarations the model's
 * types never need (they become `any`), and parsing them would cost seconds.
 */
function modelHost(ts: Ts, file: string, opts: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(opts);
  // As tsc does: JSDoc only where it can carry type errors (not in .ts and .d.ts files). Without
  // this the declarations' doc comments are parsed into trees: ~15% of a check's CPU time.
  host.jsDocParsingMode = ts.JSDocParsingMode?.ParseForTypeErrors;
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, opts);
  host.resolveModuleNameLiterals = (literals, containing, redirect, options, sourceFile) =>
    literals.map((lit) => {
      const name = lit.text;
      const bare = !name.startsWith('.') && !name.startsWith('/');
      if (bare && containing !== file) return { resolvedModule: undefined };
      const mode = ts.getModeForUsageLocation(sourceFile, lit, options);
      return ts.resolveModuleName(name, containing, options, host, cache, redirect, mode);
    });
  return host;
}

function describe(ts: Ts, d: ts.Diagnostic): string[] {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return [`error TS${d.code}: ${msg}`];
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const name = relative(process.cwd(), d.file.fileName);
  const head = `${name}:${line + 1}:${character + 1} - error TS${d.code}: ${msg}`;
  return [head, ...codeFrame(d.file.fileName, line + 1, character + 1)];
}

const CACHE = join(CACHE_DIR, 'typecheck.json');

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
