// Loading a model file: type-check it (beside the rest), import it (tsx compiles the TypeScript),
// and build its graph from the default export; every way this can fail becomes one clear CliError
// or GraphError, and a type error of the model comes before whatever failure it caused.
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Graph, GraphError } from '../index.ts';
import type { ModelMode, TrainSetup } from './contract.ts';
import { CliError } from './errors.ts';
import { codeFrame } from './errors.ts';
import { startTypecheck } from './typecheck.ts';

export interface LoadOptions {
  readonly mode?: ModelMode;
  /** Batch size passed to a model function (default: the train setup's, else 1). */
  readonly batch?: number;
  /** Type-check the model file first (default true). */
  readonly typecheck?: boolean;
  /**
   * Keep the TypeScript loader registered after the model is imported (default false: later
   * imports, e.g. prettier and the renderers, then skip its hooks). `gradc train` keeps it: a
   * training setup's lazy `data` may import TypeScript files.
   */
  readonly keepLoader?: boolean;
}

/** An imported model module: build graphs from it on demand. */
export interface Model {
  readonly file: string;
  readonly train: TrainSetup | undefined;
  /** The default export is a Graph (fixed shapes): a batch size cannot be passed to it. */
  readonly fixed: boolean;
  build(mode: ModelMode, batch?: number): Promise<Graph>;
  /**
   * The model file's type check, which runs beside importing and building (in another process):
   * rejects with its syntax or type errors. Await it before writing or printing anything built
   * from the model. (The model is imported before its check ends: code at its top level runs even
   * when it has a type error.)
   */
  readonly typecheck: Promise<void>;
}

export async function loadModel(path: string, opts: LoadOptions = {}): Promise<Model> {
  const file = resolve(path);
  if (!existsSync(file)) throw new CliError(`no such model file '${path}'`);
  if (statSync(file).isDirectory())
    throw new CliError(`'${path}' is a directory, not a model file`);
  const typecheck = opts.typecheck === false ? Promise.resolve() : startTypecheck(file);
  typecheck.catch(() => undefined); // the caller awaits it: not an unhandled rejection meanwhile
  return loadChecked(file, opts, typecheck).catch(typeErrorFirst(typecheck));
}

/** For a failure that a type error may have caused: the type error, if there is one, instead. */
const typeErrorFirst =
  (typecheck: Promise<void>) =>
  async (e: unknown): Promise<never> => {
    await typecheck;
    throw e;
  };

async function loadChecked(
  file: string,
  opts: LoadOptions,
  typecheck: Promise<void>,
): Promise<Model> {
  const mod = await importModel(file, opts.keepLoader === true);
  const shown = relative(process.cwd(), file);
  const def = mod['default'];
  if (def === undefined) {
    throw new CliError(
      `${shown} has no default export: export default a Graph, or a function ({ batch, mode }) => Graph`,
    );
  }
  if (!(def instanceof Graph) && typeof def !== 'function') {
    throw new CliError(`the default export of ${shown} is not a graph (got ${describe(def)})`);
  }
  const train = mod['train'] as TrainSetup | undefined;
  const build = async (mode: ModelMode, batch?: number): Promise<Graph> => {
    const b = batch ?? opts.batch ?? train?.batch ?? 1;
    const g = def instanceof Graph ? def : await guarded(file, () => def({ batch: b, mode }));
    if (!(g instanceof Graph)) {
      throw new CliError(
        `the default export of ${shown} did not return a graph (got ${describe(g)})`,
      );
    }
    if (g.outputs.size === 0 && g.updates.size === 0) {
      throw new CliError(
        `the graph '${g.name}' of ${shown} has no outputs (declare them with g.output)`,
      );
    }
    return g;
  };
  return {
    file,
    train,
    fixed: def instanceof Graph,
    typecheck,
    build: (mode, batch) => build(mode, batch).catch(typeErrorFirst(typecheck)),
  };
}

/**
 * Model files are TypeScript: when this file itself runs as TypeScript a loader (tsx) is active;
 * the built CLI registers tsx for the model's import only (unless `keep`). Every import made while
 * tsx's hooks are registered pays a round trip to its loader thread, so gradc's own modules are
 * loaded first, without them: the model's `import … from 'gradc'` then finds them loaded.
 */
let tsxKept = import.meta.url.endsWith('.ts');

async function importModel(file: string, keep: boolean): Promise<Record<string, unknown>> {
  const load = () =>
    guarded(file, async () => (await import(pathToFileURL(file).href)) as Record<string, unknown>);
  if (tsxKept) return load();
  await import('../node/index.ts'); // gradc, gradc/nn and gradc/node
  const unregister = (await import('tsx/esm/api')).register();
  tsxKept = keep;
  try {
    return await load();
  } finally {
    if (!keep) {
      await unregister();
      // tsx turns source maps off again; graph building still maps the user's lines through them.
      process.setSourceMapsEnabled(true);
    }
  }
}

/** Run user code; GraphErrors pass through, anything else names the user's line. */
async function guarded<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof GraphError || e instanceof CliError) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_REQUIRE')) {
      throw new CliError(
        `${relative(process.cwd(), file)} was loaded as CommonJS: model files are ES modules (name it .mts, or put it in a package with "type": "module")`,
      );
    }
    const msg = e instanceof Error ? e.message : String(e);
    const site = e instanceof Error ? userFrame(e) : null;
    const at = site ? ` (at ${site.file}:${site.line})` : '';
    const name = relative(process.cwd(), file);
    const frame = site ? codeFrame(site.file, site.line) : [];
    const err = new CliError(`loading ${name} failed: ${msg}${at}`, frame);
    err.stack = e instanceof Error ? e.stack : err.stack;
    throw err;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INTERNAL = [`${ROOT}src/`, `${ROOT}codegen/`, 'node_modules', 'node:'];

/** The first stack frame outside gradc and node, as a cwd-relative file and line. */
function userFrame(e: Error): { file: string; line: number } | null {
  for (const raw of (e.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/.exec(raw.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (INTERNAL.some((p) => file.startsWith(p) || file.includes(p))) continue;
    return { file: relative(process.cwd(), file), line: Number(m[2]) };
  }
  return null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object')
    return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v;
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? `an instance of ${ctor}` : 'a plain object';
}
