// Host plan → the generated TypeScript WebGPU host: buffers, pipelines and bind groups created
// once; a step is one command buffer; only outputs are read back. Takes any GPUDevice.
import { commentText, quote, sanitize } from '../names.ts';
import { formatTs } from '../format.ts';
import { engine } from './host-engine.ts';
import type { HostPlan, TensorPlan } from './module.ts';

export interface HostOptions {
  readonly name: string;
  /** 'step' for training graphs (applies updates), 'run' otherwise. */
  readonly entry: 'step' | 'run';
  readonly header?: readonly string[];
  /** The file name of the WGSL written beside the host (mentioned in comments). */
  readonly wgslFile: string;
  /** Run prettier over the host (default true; in-process compiles skip it: it is slow). */
  readonly format?: boolean;
}

const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
const prop = (s: string) => (isIdent(s) ? s : quote(s));
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
  const rows = items.map((t) => `${prop(t.name)}: ${region(t)},`);
  return `{\n${rows.join('\n')}\n}`;
}

function dataSection(plan: HostPlan): string {
  const dispatches = plan.dispatches.map((d) => {
    const b = d.bindings.map((x) => `[${x.binding}, ${x.arena}, ${x.offset}, ${x.size}]`);
    const src = d.source.map(([from, to]) => `[${from}, ${to}]`);
    return `{ entry: ${quote(d.entry)}, groups: [${d.groups.join(', ')}], bindings: [${b.join(', ')}], source: [${src.join(', ')}] },`;
  });
  const consts = plan.consts.map((c) => `[${region(c)}, [${c.values.join(', ')}]],`);
  return `
type Dtype = 'f32' | 'i32';
/** [arena, element offset, elements, storage type]: where a tensor lives on the device. */
type Region = readonly [number, number, number, Dtype];
interface Dispatch {
  readonly entry: string;
  readonly groups: readonly [number, number, number];
  /** [binding, arena, element offset, elements] */
  readonly bindings: readonly (readonly [number, number, number, number])[];
  /** Line ranges [start, end) of \`wgsl\` that form this entry point's shader module. */
  readonly source: readonly (readonly [number, number])[];
}

/** Arena buffers (elements of 4 bytes): every tensor lives at a fixed offset in one of them. */
const ARENAS: readonly (readonly [Dtype, number])[] = [${plan.arenas.map((a) => `['${a.dtype}', ${a.size}]`).join(', ')}];
const INPUTS: { readonly [K in keyof Inputs]: Region } = ${table(plan.inputs)};
const PARAMS: { readonly [K in keyof Params]: Region } = ${table(plan.params)};
const OUTPUTS: { readonly [K in keyof Outputs]: Region } = ${table(plan.outputs)};
const CONSTS: readonly (readonly [Region, readonly number[]])[] = [${consts.join('\n')}];
/** One step, in order: every kernel (and param copy) is one dispatch. */
const DISPATCHES: readonly Dispatch[] = [
${dispatches.join('\n')}
];
`;
}

export async function renderHost(wgsl: string, plan: HostPlan, opts: HostOptions): Promise<string> {
  const text = hostText(wgsl, plan, opts);
  return opts.format === false ? text : formatTs(text);
}

function hostText(wgsl: string, plan: HostPlan, opts: HostOptions): string {
  const limits = Object.entries(plan.requiredLimits).map(([k, v]) => `${k}: ${v},`);
  const head = [
    ...(opts.header ?? []),
    `WebGPU host for ${opts.wgslFile}: works with Node's \`webgpu\` package and a browser's navigator.gpu.`,
  ].map((l) => `// ${commentText(l)}`);
  const text = `${head.join('\n')}

${iface('Inputs', plan.inputs, true)}
${iface('Params', plan.params, true)}
${iface('Outputs', plan.outputs, false)}

/** Device limits above the WebGPU defaults that this program needs: pass to requestDevice. */
export const requiredLimits: Readonly<Record<string, number>> = {
${limits.join('\n')}
};

/** The WGSL module (the same text as ${commentText(opts.wgslFile)}). */
export const wgsl = ${templateLiteral(wgsl)};
${dataSection(plan)}
${engine(opts.name, opts.entry, opts.wgslFile)}`;
  return text;
}
