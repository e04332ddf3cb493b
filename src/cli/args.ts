// Command-line parsing: each command declares its flags (type, allowed values, default); anything
// else is a UsageError naming the flag. Supports --flag value, --flag=value and boolean --flag.
import { UsageError } from './errors.ts';

export interface FlagSpec {
  readonly type: 'string' | 'number' | 'boolean';
  /** Allowed values of a string flag. */
  readonly values?: readonly string[];
  readonly default?: string | number | boolean;
  /** Shown in --help, after the flag. */
  readonly arg?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Names of the positional arguments, all required. */
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

export type FlagValue = string | number | boolean | undefined;

export interface Parsed {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, FlagValue>>;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  help: { type: 'boolean', help: 'show help for the command' },
  verbose: { type: 'boolean', help: 'show stack traces of errors' },
  'no-typecheck': { type: 'boolean', help: 'skip type-checking the model file' },
};

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const all = { ...GLOBAL_FLAGS, ...spec.flags };
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags['help'] = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-')
        throw new UsageError(`unknown option '${arg}'`, spec.name);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const fs = all[name];
    if (!fs) throw new UsageError(`unknown option '--${name}' for '${spec.name}'`, spec.name);
    if (fs.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`, spec.name);
      flags[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`option '--${name}' needs a value`, spec.name);
    flags[name] = convert(spec.name, name, fs, raw);
  }
  if (flags['help']) return { positionals, flags };
  return { positionals: checkPositionals(spec, positionals), flags: withDefaults(all, flags) };
}

function convert(command: string, name: string, fs: FlagSpec, raw: string): string | number {
  if (fs.type === 'number') {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) {
      throw new UsageError(`option '--${name}' needs a number, got '${raw}'`, command);
    }
    return v;
  }
  if (fs.values && !fs.values.includes(raw)) {
    const allowed = fs.values.join(', ');
    throw new UsageError(
      `unknown ${name} '${raw}' for '--${name}' (choose one of: ${allowed})`,
      command,
    );
  }
  return raw;
}

function checkPositionals(spec: CommandSpec, got: readonly string[]): string[] {
  if (got.length < spec.positionals.length) {
    const missing = spec.positionals[got.length]!;
    throw new UsageError(`'${spec.name}' needs ${missing}`, spec.name);
  }
  if (got.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument '${got[spec.positionals.length]}'`, spec.name);
  }
  return [...got];
}

function withDefaults(
  all: Readonly<Record<string, FlagSpec>>,
  flags: Record<string, FlagValue>,
): Record<string, FlagValue> {
  const out = { ...flags };
  for (const [name, fs] of Object.entries(all)) if (out[name] === undefined) out[name] = fs.default;
  return out;
}

/** Typed accessors for parsed flags (the spec guarantees the type). */
export const str = (p: Parsed, name: string): string | undefined =>
  p.flags[name] as string | undefined;
export const num = (p: Parsed, name: string): number | undefined =>
  p.flags[name] as number | undefined;
export const bool = (p: Parsed, name: string): boolean => p.flags[name] === true;

/** A positive integer flag, or a UsageError. */
export function positiveInt(p: Parsed, command: string, name: string): number | undefined {
  const v = num(p, name);
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new UsageError(`option '--${name}' needs a positive integer, got ${v}`, command);
  }
  return v;
}
