// The gradc command line: dispatch to a command, map errors to one message and an exit code
// (1 failure, 2 usage), and keep stack traces for --verbose. bin/gradc.js runs this (built, or under tsx).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandSpec, Parsed } from './args.ts';
import { parseArgs } from './args.ts';
import type { Io } from './common.ts';
import { reportError, UsageError } from './errors.ts';
import { commandHelp, gradcVersion, mainHelp } from './help.ts';
import { checkSpec, compileSpec, explainSpec, inspectSpec, trainSpec } from './specs.ts';
import { isWatchRun, runFiltered, runWatch, wantsFilter } from './subprocess.ts';

type Runner = (p: Parsed, io: Io) => Promise<number>;

interface Command {
  readonly spec: CommandSpec;
  /** Imported on use: the compilers behind a command take a while to load. */
  readonly load: () => Promise<Runner>;
}

const COMMANDS: readonly Command[] = [
  { spec: compileSpec, load: async () => (await import('./cmd-compile.ts')).runCompile },
  { spec: inspectSpec, load: async () => (await import('./cmd-inspect.ts')).runInspect },
  { spec: checkSpec, load: async () => (await import('./cmd-check.ts')).runCheck },
  { spec: trainSpec, load: async () => (await import('./cmd-train.ts')).runTrain },
  { spec: explainSpec, load: async () => (await import('./cmd-inspect.ts')).runExplain },
];

export const version = gradcVersion;

/** Run the CLI on `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-v') {
      io.out(`gradc ${version()}\n`);
      return 0;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.out(
        mainHelp(
          COMMANDS.map((c) => c.spec),
          version(),
        ),
      );
      return first === undefined ? 2 : 0;
    }
    const cmd = COMMANDS.find((c) => c.spec.name === first);
    if (!cmd) {
      const known = COMMANDS.map((c) => c.spec.name).join(', ');
      throw new UsageError(`unknown command '${first}' (commands: ${known})`);
    }
    const parsed = parseArgs(cmd.spec, rest);
    if (parsed.flags['help']) {
      io.out(commandHelp(cmd.spec));
      return 0;
    }
    // Training and compiling print nothing until done otherwise: on a terminal, say so before
    // loading anything (inspect, check and explain print their own text, often into a pipe).
    const slow = cmd.spec.name === 'train' || cmd.spec.name === 'compile';
    if (io.isTTY && slow) io.out(`loading ${parsed.positionals[0]}\n`);
    if (slow) await typecheckEarly(parsed);
    return await (
      await cmd.load()
    )(parsed, io);
  } catch (e) {
    const r = reportError(e, verbose);
    io.err(r.text);
    return r.exitCode;
  }
}

/** The model's type check costs as much as a compile: start it before loading the compiler. */
async function typecheckEarly(p: Parsed): Promise<void> {
  const file = p.positionals[0] && resolve(p.positionals[0]);
  if (!file || p.flags['no-typecheck'] || !existsSync(file) || statSync(file).isDirectory()) return;
  (await import('./typecheck.ts')).startTypecheckEarly(file);
}

/**
 * Controls a terminal would obey (ESC sequences, C1 codes, bidi overrides) shown as \u{…}: names
 * in messages are user text. Line breaks, tabs and the progress line's \r pass.
 */
const UNSAFE_ON_TERMINAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
export const terminalText = (s: string): string =>
  s.replace(UNSAFE_ON_TERMINAL, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`);

/** The process entry point (bin/gradc.js): real stdout/stderr and process.exitCode. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (wantsFilter(argv)) {
    process.exitCode = await runFiltered(argv);
    return;
  }
  if (isWatchRun(argv) && !argv.includes('--help')) {
    process.exitCode = await runWatch(argv);
    return;
  }
  const io: Io = {
    out: (s) => void process.stdout.write(terminalText(s)),
    err: (s) => void process.stderr.write(terminalText(s)),
    isTTY: process.stdout.isTTY === true,
  };
  process.exitCode = await main(argv, io);
}
