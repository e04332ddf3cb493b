// The CLI in child processes. Dawn (the `webgpu` package) prints its own warnings straight to the
// process's stderr from native code, e.g. "Warning: maxDynamicUniformBuffersPerPipelineLayout
// artificially reduced…"; JavaScript cannot intercept those writes, so a WGSL command without
// --verbose runs the CLI in a child process whose stderr is filtered line by line (everything else
// passes through unchanged). And `gradc compile … --watch`: compile, then compile again whenever a
// file in the model's folder changes, each build in a fresh child process so an edited model file
// (and whatever it imports) is loaded anew; a failed build prints its error and the watch goes on.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const FILTERED = 'GRADC_DAWN_FILTERED';

/** Dawn's own diagnostic lines (gradc's messages start with "gradc:"). */
export const isDawnWarning = (line: string): boolean => /^Warning: /.test(line);

/** True when `argv` runs WebGPU in this process and Dawn's warnings should be hidden. */
export function wantsFilter(argv: readonly string[], env = process.env): boolean {
  if (env[FILTERED] === '1' || argv.includes('--verbose')) return false;
  const i = argv.indexOf('--target');
  return argv.includes('--target=wgsl') || (i >= 0 && argv[i + 1] === 'wgsl');
}

/** Re-run this CLI with `argv` in a child with filtered stderr; resolves to its exit code. */
export function runFiltered(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: { ...process.env, [FILTERED]: '1' },
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (!isDawnWarning(line)) process.stderr.write(line + '\n');
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (pending && !isDawnWarning(pending)) process.stderr.write(pending);
      resolve(code ?? 1);
    });
  });
}

/** Source files whose change triggers a rebuild (generated output is ignored). */
const SOURCE = /\.(?:[cm]?[jt]s|json)$/;

export function isWatchRun(argv: readonly string[]): boolean {
  return argv[0] === 'compile' && argv.includes('--watch');
}

/** The value of `--flag V` or `--flag=V` in argv, if given. */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** Runs until the process is stopped; resolves only if the folder cannot be watched. */
export function runWatch(argv: readonly string[]): Promise<number> {
  const once = argv.filter((a) => a !== '--watch');
  const model = once.slice(1).find((a) => !a.startsWith('-'));
  if (!model) return Promise.resolve(2);
  const dir = dirname(resolve(model));
  const out = resolve(flagValue(once, '--out') ?? 'gen');
  let child: ChildProcess | null = null;
  let again = false;
  const build = () => {
    if (child) {
      again = true; // one more build once this one ends: the files changed during it
      return;
    }
    child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...once], {
      stdio: 'inherit',
    });
    child.on('close', () => {
      child = null;
      process.stdout.write(`watching ${relative(process.cwd(), dir) || '.'} (Ctrl-C to stop)\n`);
      if (again) {
        again = false;
        build();
      }
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    child?.kill();
    process.exit(0);
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
  build();
  return new Promise((resolveExit) => {
    const watcher = watch(dir, { recursive: true }, (_event, name) => {
      const file = name ? resolve(dir, name.toString()) : '';
      if (!SOURCE.test(file) || file.startsWith(out + '/')) return;
      clearTimeout(timer);
      timer = setTimeout(build, 100); // editors write a file in several steps
    });
    watcher.on('error', (e) => {
      process.stderr.write(`gradc: cannot watch ${dir}: ${e.message}\n`);
      resolveExit(1);
    });
  });
}
