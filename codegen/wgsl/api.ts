// The WebGPU host's part of the one generated-module API (codegen/ts/api.ts has the TS one):
// `shapes`, `initParams(seed)` and `create(device, params?)`, which checks the params' sizes and
// every call's input sizes before the host's own createModel runs them.
import type { InitSpec } from '../../src/ir/init.ts';
import { CHECK, initParamsText } from '../ts/api.ts';
import { quote, sanitize } from '../names.ts';
import type { HostPlan, TensorPlan } from './module.ts';

const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
const prop = (s: string) => (isIdent(s) ? s : quote(s));
const shapesOf = (items: readonly TensorPlan[]) =>
  `{ ${items.map((t) => `${prop(t.name)}: [${t.shape.join(', ')}]`).join(', ')} }`;

export function renderHostApi(
  plan: HostPlan,
  inits: ReadonlyMap<string, InitSpec>,
  entry: 'step' | 'run',
  runInputs?: readonly string[],
): string {
  const typed = (text: string) => text;
  const params = plan.params.map((t) => ({
    name: t.name,
    size: t.shape.reduce((a, d) => a * d, 1),
  }));
  // A training host's run checks only the forward pass's inputs.
  const runSizes =
    entry === 'step' && runInputs
      ? runInputs.map((n) => `${prop(n)}: shapes.inputs[${quote(n)}]`).join(', ')
      : undefined;
  return [
    `/** Static shapes of the compiled graph (row-major), as in the TypeScript target's module. */
export const shapes = {
  inputs: ${shapesOf(plan.inputs)},
  params: ${shapesOf(plan.params)},
  outputs: ${shapesOf(plan.outputs)},
} as const;`,
    CHECK(typed),
    initParamsText(params, inits, typed),
    `
/** A ready model on \`device\`: params (default initParams(0)) after a size check; every
 * ${entry}'s inputs are checked too (same messages as the TypeScript target). */
export async function create(device: GPUDevice, params: Params = initParams()): Promise<Model> {
  checkSizes('param', params, sizesOf(shapes.params));
  const model = await createModel(device, params);
  const inputSizes = sizesOf(shapes.inputs);${
    runSizes
      ? `
  const runSizes = sizesOf({ ${runSizes} });`
      : ''
  }
  return {
    ...model,
    ${entry}: (inputs: Inputs) => {
      checkSizes('input', inputs, inputSizes);
      return model.${entry}(inputs);
    },${
      runSizes
        ? `
    run: (inputs: RunInputs) => {
      checkSizes('input', inputs, runSizes);
      return model.run(inputs);
    },`
        : ''
    }
  };
}`,
  ].join('\n');
}
