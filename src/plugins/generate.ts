// What the build-tool plugins share: `./model.ts?gradc` (with `&target=wgsl`, `&mode=train`,
// `&batch=N`) names the module gradc generates from a model file, generated at build time.
import type { FileTarget } from '../pipeline.ts';
import { CliError } from '../cli/errors.ts';
import type { ModelMode } from '../cli/contract.ts';
import { loadModel } from '../cli/load.ts';

export interface GradcImport {
  /** The model file, as written before the query. */
  readonly path: string;
  readonly target: FileTarget;
  readonly mode: ModelMode;
  readonly batch?: number;
}

/** Matches an import specifier with a gradc query (the plugins' resolve filter). */
export const GRADC_QUERY = /\?gradc(?:&[^?]*)?$/;

/** Parse `path?gradc&target=…&mode=…&batch=…`; null when the specifier has no gradc query. */
export function parseGradcImport(spec: string): GradcImport | null {
  if (!GRADC_QUERY.test(spec)) return null;
  const at = spec.lastIndexOf('?gradc');
  const query = new URLSearchParams(spec.slice(at + 1));
  const target = query.get('target') ?? 'ts';
  const mode = query.get('mode') ?? 'train';
  const batch = query.get('batch');
  if (target !== 'ts' && target !== 'wgsl')
    throw new CliError(`${spec}: target must be ts or wgsl, not '${target}'`);
  if (mode !== 'train' && mode !== 'infer')
    throw new CliError(`${spec}: mode must be train or infer, not '${mode}'`);
  if (batch !== null && !/^[1-9]\d*$/.test(batch))
    throw new CliError(`${spec}: batch must be a positive integer, not '${batch}'`);
  return {
    path: spec.slice(0, at),
    target,
    mode,
    ...(batch === null ? {} : { batch: Number(batch) }),
  };
}

/** The generated module's TypeScript for an absolute model file (the WGSL host embeds its shaders). */
export async function generateModule(file: string, imp: GradcImport): Promise<string> {
  const model = await loadModel(file, { typecheck: false });
  const graph = await model.build(imp.mode, imp.batch);
  const { emitFiles } = await import('../pipeline.ts');
  const { files } = await emitFiles(graph, { target: imp.target });
  return files.find((f) => f.path.endsWith('.ts'))!.text;
}
