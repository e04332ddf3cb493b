// The model's type check in a process of its own: `gradc compile` checks on one core while it
// compiles on the other (startTypecheck in typecheck.ts forks this file with the model file as
// its argument). The result goes back over the IPC channel; a crash sends nothing, and the
// parent then checks in its own process.
import { CliError } from './errors.ts';
import { typecheckModel } from './typecheck.ts';

export type CheckResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly details: readonly string[] };

function result(file: string): CheckResult {
  try {
    typecheckModel(file);
    return { ok: true };
  } catch (e) {
    if (e instanceof CliError) return { ok: false, message: e.message, details: e.details };
    throw e;
  }
}

process.send!(result(process.argv[2]!), () => process.disconnect());
