// What every example's train.ts shares: `--flag value` parsing, compiling for the chosen target
// (saying so when WGSL is not available yet), the generated-source dump, and timing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitTs } from '../../src/pipeline.ts';
import type { Executable, Graph, Target } from '../../src/index.ts';
import { compile } from '../../src/index.ts';

export type ExampleTarget = Extract<Target, 'ts' | 'wgsl'>;

/** The flags of one example: each has a default, so the result is fully defined. */
export type Flags<T extends Record<string, number | string>> = { [K in keyof T]: T[K] };

/**
 * Parse `--name value` (or `--name=value`) pairs against the defaults: a flag's type is its
 * default's; unknown flags and non-numeric values for number flags stop the program with a usage
 * line. `--target` must be ts or wgsl.
 */
export function parseFlags<T extends Record<string, number | string>>(
  usage: string,
  defaults: T,
  argv: readonly string[] = process.argv.slice(2),
): Flags<T> {
  const out: Record<string, number | string> = { ...defaults };
  function fail(msg: string): never {
    console.error(`${msg}\nusage: ${usage}`);
    process.exit(2);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1]! in defaults)) fail(`unknown argument '${arg}'`);
    const name = m[1]!;
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) fail(`--${name} needs a value`);
    if (typeof defaults[name] === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) fail(`--${name} takes a number, got '${raw}'`);
      out[name] = v;
    } else out[name] = raw;
  }
  if ('target' in out && out['target'] !== 'ts' && out['target'] !== 'wgsl') {
    fail(`--target must be ts or wgsl, got '${String(out['target'])}'`);
  }
  return out as Flags<T>;
}

/** True when `moduleUrl` is the script node was started with (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/** compile() for an example; warns (once per call) when the executable runs on another target. */
export async function compileFor(
  g: Graph,
  target: ExampleTarget,
  seed = 0,
  warn: (s: string) => void = console.warn,
): Promise<Executable> {
  const exe = await compile(g, { target, seed });
  if (exe.target !== target) {
    warn(`note: '${g.name}' was asked for the ${target} target but runs on ${exe.target}`);
  }
  return exe;
}

/** Write the TypeScript module gradc generates for `g` to `path` (for reading). */
export async function writeGenerated(path: string, g: Graph): Promise<void> {
  const { source } = await emitTs(g);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source);
}

/** Seconds since `t0` (a performance.now() value), one decimal. */
export const since = (t0: number): string => ((performance.now() - t0) / 1000).toFixed(1);

/** `test accuracy: NN.N%`: the last line every classifier example prints. */
export const accuracyLine = (accuracy: number): string =>
  `test accuracy: ${(100 * accuracy).toFixed(1)}%`;
