// W4's model file for the spawned CLI: `GRADC_SCALE=<case>:<n> gradc compile bench/scale-model.ts`
// builds one scale case (bench/scale-graphs.ts) with its gradient, as a user's model file would.
import type { Graph } from '../src/index.ts';
import { SCALE_CASES, scaleGraph } from './scale-graphs.ts';
import type { ScaleCase } from './scale-graphs.ts';

/** Model files are type-checked without Node's types: read the environment through globalThis. */
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;

export default function model(): Graph {
  const [kind, n] = (env['GRADC_SCALE'] ?? 'chain:100').split(':');
  if (!SCALE_CASES.includes(kind as ScaleCase)) throw new Error(`GRADC_SCALE: no case '${kind}'`);
  return scaleGraph(kind as ScaleCase, Number(n));
}
