// A scratch project with gradc installed from its packed tarball, as a user would have it: the
// package's files come only from `npm pack`; its dependencies are linked from this repository's
// node_modules (offline: no registry traffic). Builds dist/ first when it is missing or stale.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Newest modification time of the files under `dir` (0 when there are none). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/** Run `npm run build` unless dist/ is newer than every source file it is built from. */
export function ensureBuilt(): void {
  const built = join(ROOT, 'dist/src/index.js');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'codegen')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(NPM, ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

export interface Packed {
  readonly tarball: string;
  /** Paths inside the package, e.g. 'dist/src/index.js'. */
  readonly files: readonly string[];
  readonly size: number;
  readonly unpackedSize: number;
}

/** `npm pack` (scripts skipped: dist/ is already built) into `dir`. */
export function pack(dir: string): Packed {
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  return {
    tarball: join(dir, info!.filename),
    files: info!.files.map((f) => f.path),
    size: info!.size,
    unpackedSize: info!.unpackedSize,
  };
}

export interface Scratch {
  readonly dir: string;
  readonly packed: Packed;
  /** Write a file of the scratch project. */
  write(name: string, text: string): string;
}

/** A fresh project with the tarball unpacked as node_modules/gradc and its dependencies linked. */
export function scratchProject(): Scratch {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'gradc-pkg-'));
  const packed = pack(dir);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', packed.tarball, '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'gradc'));
  const pkg = JSON.parse(readFileSync(join(modules, 'gradc/package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  // Runtime dependencies, and TypeScript (an optional peer: the CLI type-checks models with it).
  for (const name of [...Object.keys(pkg.dependencies ?? {}), 'typescript']) {
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  write('package.json', JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  return { dir, packed, write };
}
