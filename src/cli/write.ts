// Atomic output: every file is first written into a temporary directory inside the target
// directory (same filesystem), then renamed into place; on failure the old files stay untouched.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { EmittedFile } from '../pipeline.ts';
import { CliError } from './errors.ts';

/** Write `files` under `outDir` atomically; returns the absolute paths written. */
export async function writeFilesAtomic(
  outDir: string,
  files: readonly EmittedFile[],
): Promise<string[]> {
  const dir = resolve(outDir);
  const shown = relative(process.cwd(), dir) || '.';
  for (const f of files) {
    const rel = relative(dir, resolve(dir, f.path));
    if (rel.startsWith('..') || rel === '')
      throw new CliError(`refusing to write '${f.path}' outside ${shown}`);
  }
  let tmp: string;
  try {
    await mkdir(dir, { recursive: true });
    tmp = await mkdtemp(join(dir, '.gradc-tmp-'));
  } catch (e) {
    throw new CliError(`cannot write to output directory '${shown}': ${reason(e)}`);
  }
  try {
    for (const f of files) {
      await mkdir(dirname(join(tmp, f.path)), { recursive: true });
      await writeFile(join(tmp, f.path), f.text);
    }
    const written: string[] = [];
    for (const f of files) {
      await mkdir(dirname(join(dir, f.path)), { recursive: true });
      await rename(join(tmp, f.path), join(dir, f.path));
      written.push(join(dir, f.path));
    }
    return written;
  } catch (e) {
    throw new CliError(`cannot write to output directory '${shown}': ${reason(e)}`);
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

function reason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a path component is a file, not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EEXIST: 'a file is in the way',
  };
  return (err.code && known[err.code]) ?? err.message ?? String(e);
}
