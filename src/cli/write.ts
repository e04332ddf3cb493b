// Atomic output of a set of files: everything is written into a fresh temporary directory inside
// the target directory (same filesystem), a COMMITTED marker makes the set durable, then each file
// is renamed into place (the previous one kept aside until the end). A failure rolls the whole set
// back; a process killed between renames leaves a committed set that the next write into the same
// directory completes first. Temporary directories of dead processes are cleaned up.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { EmittedFile } from '../internal.ts';
import { CliError } from './errors.ts';

const TMP_PREFIX = '.gradc-tmp-';
const COMMITTED = 'COMMITTED';

/** Test hook: called after the i-th file is renamed into place. */
export interface WriteHooks {
  afterRename?(i: number): void | Promise<void>;
}

/** Write `files` under `outDir` as one set; returns the absolute paths written. */
export async function writeFilesAtomic(
  outDir: string,
  files: readonly EmittedFile[],
  hooks: WriteHooks = {},
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
    await makeDir(dir);
    await recoverLeftovers(dir);
    tmp = await mkdtemp(join(dir, `${TMP_PREFIX}${process.pid}-`));
  } catch (e) {
    throw new CliError(`cannot write to output directory '${shown}': ${reason(e)}`);
  }
  try {
    for (const f of files) {
      await mkdir(dirname(join(tmp, 'new', f.path)), { recursive: true });
      await writeFile(join(tmp, 'new', f.path), f.text);
    }
    await writeFile(join(tmp, COMMITTED), JSON.stringify(files.map((f) => f.path)));
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new CliError(`cannot write to output directory '${shown}': ${reason(e)}`);
  }
  await switchSet(dir, tmp, files, hooks, shown);
  return files.map((f) => join(dir, f.path));
}

/** Rename each new file into place, keeping the old ones in tmp/old; undo everything on failure. */
async function switchSet(
  dir: string,
  tmp: string,
  files: readonly EmittedFile[],
  hooks: WriteHooks,
  shown: string,
): Promise<void> {
  const done: { path: string; hadOld: boolean }[] = [];
  try {
    for (const [i, f] of files.entries()) {
      const target = join(dir, f.path);
      await mkdir(dirname(target), { recursive: true });
      const hadOld = existsSync(target);
      if (hadOld && (await stat(target)).isDirectory())
        throw Object.assign(new Error(target), { code: 'EISDIR' });
      if (hadOld) {
        await mkdir(dirname(join(tmp, 'old', f.path)), { recursive: true });
        await rename(target, join(tmp, 'old', f.path));
      }
      done.push({ path: f.path, hadOld });
      await rename(join(tmp, 'new', f.path), target);
      await hooks.afterRename?.(i);
    }
  } catch (e) {
    // Not committed any more: the next run must not roll this set forward.
    await rm(join(tmp, COMMITTED), { force: true }).catch(() => undefined);
    for (const d of done.reverse()) {
      const target = join(dir, d.path);
      if (d.hadOld) await rename(join(tmp, 'old', d.path), target).catch(() => undefined);
      else await rm(target, { force: true }).catch(() => undefined);
    }
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new CliError(
      `cannot write to output directory '${shown}': ${reason(e)}; the previous files are unchanged`,
    );
  }
  await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Temporary directories left by interrupted runs: a committed set is completed (its remaining
 * files renamed into place), anything else removed. Directories of live processes are left alone.
 */
export async function recoverLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const pid = Number(/^\.gradc-tmp-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && alive(pid)) continue;
    const tmp = join(dir, name);
    const paths = await readFile(join(tmp, COMMITTED), 'utf8').then(
      (t) => JSON.parse(t) as string[],
      () => [],
    );
    for (const p of paths) {
      const from = join(tmp, 'new', p);
      if (existsSync(from)) await rename(from, join(dir, p));
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * mkdir -p, one level at a time from the nearest existing ancestor: Node's recursive mkdir spins
 * forever on /proc, so a bad --out must fail on the first level it cannot create.
 */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!existsSync(at)) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!(await stat(at)).isDirectory()) throw Object.assign(new Error(at), { code: 'ENOTDIR' });
  for (const d of missing.reverse()) await mkdir(d);
}

export function reason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a path component is a file, not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EEXIST: 'a file is in the way',
    ENOENT: 'a directory on the way cannot be created',
    EISDIR: 'a directory is in the way',
  };
  return (err.code && known[err.code]) ?? err.message ?? String(e);
}
