// Host plan → the generated TypeScript WebGPU host: typed Inputs/Params/Outputs, the program as
// data, and the engine (src/runtime/wgsl-host.ts) embedded verbatim. Takes any GPUDevice.
import { commentText, numberLiteral, quote, sanitize } from '../names.ts';
import { formatTs } from '../format.ts';
import { ENGINE_SOURCE } from './engine-source.ts';
import type { DispatchPlan, HostPlan, TensorPlan } from './module.ts';
import type { InitSpec } from '../../src/ir/init.ts';
import { renderHostApi } from './api.ts';

export interface HostOptions {
  readonly name: string;
  /** 'step' for training graphs (applies updates), 'run' otherwise. */
  readonly entry: 'step' | 'run';
  readonly header?: readonly string[];
  /** The file name of the WGSL written beside the host (mentioned in comments). */
  readonly wgslFile: string;
  /** Run prettier over the host (default true; in-process compiles skip it: it is slow). */
  readonly format?: boolean;
  /** Each param's initializer, for the host's initParams. */
  readonly inits?: ReadonlyMap<string, InitSpec>;
  /** A training host's `run`: the forward pass's dispatches (indexes), the inputs they read and
   * the outputs they compute. */
  readonly evaluate?: {
    readonly dispatches: readonly number[];
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
  };
}

const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
const prop = (s: string) => (isIdent(s) ? s : quote(s));
/** An object-literal key: `__proto__` is computed, since a plain one would set the prototype. */
const key = (s: string) => (s === '__proto__' ? `[${quote(s)}]` : prop(s));
const arrayType = (dtype: string) => (dtype === 'f32' ? 'Float32Array' : 'Int32Array');
const region = (t: { region: TensorPlan['region'] }) =>
  `[${t.region.arena}, ${t.region.offset}, ${t.region.size}, '${t.region.dtype}']`;

/** A template literal holding `text` verbatim. */
function templateLiteral(text: string): string {
  return '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

function iface(name: string, items: readonly TensorPlan[], readonly: boolean): string {
  const fields = items.map(
    (t) =>
      `/** ${commentText(`${t.dtype}[${t.shape.join(', ')}]`)} */\n${readonly ? 'readonly ' : ''}${prop(t.name)}: ${arrayType(t.dtype)};`,
  );
  return `export interface ${name} {\n${fields.join('\n')}\n}`;
}

function table(items: readonly TensorPlan[]): string {
  const rows = items.map((t) => `${key(t.name)}: ${region(t)},`);
  return `{\n${rows.join('\n')}\n}`;
}

function dataSection(plan: HostPlan, label: string): string {
  const ranges = (d: DispatchPlan) => d.bindings.map((x) => `[${x.arena}, ${x.offset}, ${x.size}]`);
  const dispatches = plan.dispatches.map(
    (d) =>
      `{ shader: ${d.shader}, groups: [${d.groups.join(', ')}], ranges: [${ranges(d).join(', ')}] }, // ${commentText(d.entry)}`,
  );
  const shaders = plan.shaders.map((s) => {
    const bindings = s.bindings.map(([name, type]) => `[${quote(name)}, ${quote(type)}]`);
    const uses = s.uses.map(quote).join(', ');
    const key = s.key === undefined ? '' : `key: ${quote(s.key)}, `;
    return `{ ${key}entry: ${quote(s.entry)}, bindings: [${bindings.join(', ')}], uses: [${uses}], line: ${s.line},\nbody: ${templateLiteral(s.body)} },`;
  });
  const common = Object.entries(plan.common).map(([k, v]) => `${prop(k)}: ${templateLiteral(v)},`);
  const consts = plan.consts.map(
    (c) => `[${region(c)}, [${c.values.map(numberLiteral).join(', ')}]],`,
  );
  return `
/** The program as data: arenas, where tensors live, each distinct shader, one step's dispatches. */
const PROGRAM: ProgramData<Inputs, Params, Outputs> = {
  label: ${quote(label)},
  /** Arena buffers (elements of 4 bytes): every tensor lives at a fixed offset in one of them. */
  arenas: [${plan.arenas.map((a) => `['${a.dtype}', ${a.size}]`).join(', ')}],
  inputs: ${table(plan.inputs)},
  params: ${table(plan.params)},
  outputs: ${table(plan.outputs)},
  consts: [${consts.join('\n')}],
  common: {
${common.join('\n')}
  },
  shaders: [
${shaders.join('\n')}
  ],
  /** One step, in order: every kernel (and param copy) is one dispatch. */
  dispatches: [
${dispatches.join('\n')}
  ],
  requiredLimits,${numericsData(plan)}
};
`;
}

/** The numerics guard's data (only with the option): status arena, [buffer, what] per word. */
function numericsData(plan: HostPlan): string {
  if (!plan.numerics) return '';
  const sites = plan.numerics.sites.map(
    ([buf, what]) => `[${quote(buf)}, ${quote(commentText(what))}],`,
  );
  return `
  /** Numerics guard: kernels report their first non-finite element in one word per site. */
  numerics: {
    arena: ${plan.numerics.arena},
    sites: [
${sites.join('\n')}
    ],
  },`;
}

export async function renderHost(plan: HostPlan, opts: HostOptions): Promise<string> {
  const text = hostText(plan, opts);
  return opts.format === false ? text : formatTs(text);
}

/** The forward pass of a training program: a part of the step program, run on its resources. */
function evalSection(ev: NonNullable<HostOptions['evaluate']>): string {
  const pick = (names: readonly string[], from: string) =>
    names.map((n) => `${key(n)}: PROGRAM.${from}[${quote(n)}],`);
  return `
/** The inputs the forward pass reads. */
export type RunInputs = Pick<Inputs, ${ev.inputs.map(quote).join(' | ') || 'never'}>;
/** The outputs the forward pass computes (those needing gradients are step's). */
export type RunOutputs = Pick<Outputs, ${ev.outputs.map(quote).join(' | ') || 'never'}>;

/** The forward pass alone (run): the step's dispatches that compute the forward outputs, on the
 * step's own arenas and params. */
const EVAL: ProgramPart<RunInputs, RunOutputs> = {
  inputs: {
${pick(ev.inputs, 'inputs').join('\n')}
  },
  outputs: {
${pick(ev.outputs, 'outputs').join('\n')}
  },
  dispatches: [${ev.dispatches.join(', ')}],
};
`;
}

function modelText(entry: 'step' | 'run', evaluates: boolean): string {
  const doc =
    entry === 'step'
      ? 'One training step: forward, backward and update; params change on the device.'
      : 'Evaluate the graph; params are not changed.';
  return `
export interface Model {
  /** ${doc} Resolves with the outputs. */
  ${entry}(inputs: Inputs): Promise<Outputs>;${
    evaluates
      ? `
  /** The forward outputs (no gradients), params unchanged: the step's forward dispatches alone. */
  run(inputs: RunInputs): Promise<RunOutputs>;`
      : ''
  }
  /** Read every param back from the device. */
  readParams(): Promise<Params>;
  /** Overwrite some params on the device (takes effect before the next ${entry}). */
  writeParams(values: Partial<Params>): void;
  /** Where each param lives on the device (for device-to-device copies). */
  readonly paramBindings: { readonly [K in keyof Params]: GPUBufferBinding };
  /** Pipelines, layouts, bind groups and buffers this model created. */
  readonly stats: ProgramStats;
  /** Destroys the buffers and drops every device object. */
  dispose(): void;
}

/** Creates buffers, pipelines and bind groups once, and uploads consts and the initial params. */
export async function createModel(device: GPUDevice, params: Params): Promise<Model> {
  const p = await createProgram(device, PROGRAM, params);
  const { readParams, writeParams, paramBindings, stats } = p;${
    evaluates
      ? `
  // The step's own arenas and params: nothing to build or copy, no memory twice.
  const run = (inputs: RunInputs): Promise<RunOutputs> => p.runPart(EVAL, inputs);
  return { ${entry}: p.run, run, readParams, writeParams, paramBindings, stats, dispose: p.dispose };`
      : `
  return { ${entry}: p.run, readParams, writeParams, paramBindings, stats, dispose: p.dispose };`
  }
}
`;
}

function hostText(plan: HostPlan, opts: HostOptions): string {
  const limits = Object.entries(plan.requiredLimits).map(([k, v]) => `${k}: ${v},`);
  const head = [
    ...(opts.header ?? []),
    `WebGPU host for ${opts.wgslFile}: works with Node's \`webgpu\` package and a browser's navigator.gpu.`,
  ].map((l) => `// ${commentText(l)}`);
  const label = `${commentText(opts.name)} (${opts.wgslFile})`;
  return `${head.join('\n')}

${iface('Inputs', plan.inputs, true)}
${iface('Params', plan.params, true)}
${iface('Outputs', plan.outputs, false)}

/** Device limits above the WebGPU defaults that this program needs: pass to requestDevice. */
export const requiredLimits: Readonly<Record<string, number>> = {
${limits.join('\n')}
};

// The engine below is src/runtime/wgsl-host.ts, embedded so that this file stands alone.
${ENGINE_SOURCE}
${dataSection(plan, label)}${opts.evaluate ? evalSection(opts.evaluate) : ''}
${modelText(opts.entry, opts.evaluate !== undefined)}
${renderHostApi(plan, opts.inits ?? new Map(), opts.entry, opts.evaluate?.inputs)}
`;
}
