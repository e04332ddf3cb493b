// Spawning the real CLI (bin/gradc.js) from tests: stdout, stderr and the exit code.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typecheckModel } from '../../src/cli/typecheck.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/gradc.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `gradc ...args` in `cwd` (the repo root by default). */
export function gradc(args: readonly string[], cwd = ROOT): Promise<Run> {
  return spawn(process.execPath, [BIN, ...args], cwd);
}

export function spawn(cmd: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      [...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'gradc-cli-'));

/** True if the output looks like it carries a JavaScript stack trace. */
export const hasStack = (s: string): boolean => /\n\s+at .+:\d+:\d+/.test(s);

/**
 * Type-check model files once, in this process, so that concurrent spawns on them hit the
 * type-check cache instead of each checking the same file.
 */
export async function warmTypecheck(files: readonly string[]): Promise<void> {
  for (const f of files) await typecheckModel(join(ROOT, f));
}
