// The WebGPU engine of every generated WGSL host: builds each dispatch's shader module from kernel
// data, shares layouts/pipelines/bind groups, runs a step as one command buffer, reads results back.
// Self-contained on purpose (no imports): codegen embeds this file's text in each generated host.

/** Storage type of an arena: every tensor lives at a fixed offset in one arena buffer. */
export type Dtype = 'f32' | 'i32';
/** [arena, element offset, elements, storage type]: where a tensor lives on the device. */
export type Region = readonly [number, number, number, Dtype];
/** [arena, element offset, elements] behind one binding of a dispatch. */
export type Range = readonly [number, number, number];

/** One kernel's shader, as data: binding n of its module is `bindings[n]`. */
export interface ShaderData {
  readonly entry: string;
  /** [variable name, element type] per binding, in binding order (0, 1, …). */
  readonly bindings: readonly (readonly [string, string])[];
  /** Keys into ProgramData.common: workgroup arrays and helper functions the body uses. */
  readonly uses: readonly string[];
  /** The entry point function (with its comment lines), indented. */
  readonly body: string;
  /** Line of the body's first line in the program's .wgsl file (1-based), for messages. */
  readonly line: number;
}

/** One dispatch of a step: which shader, its workgroup grid, the range behind each binding. */
export interface DispatchData {
  readonly shader: number;
  readonly groups: readonly [number, number, number];
  readonly ranges: readonly Range[];
}

export interface ProgramData<I, P, O> {
  /** Label for device objects and messages (the program and its .wgsl file). */
  readonly label: string;
  readonly arenas: readonly (readonly [Dtype, number])[];
  readonly inputs: { readonly [K in keyof I]: Region };
  readonly params: { readonly [K in keyof P]: Region };
  readonly outputs: { readonly [K in keyof O]: Region };
  readonly consts: readonly (readonly [Region, readonly number[]])[];
  /** Module-scope declarations shared by kernels, by name (emitted only where used). */
  readonly common: Readonly<Record<string, string>>;
  readonly shaders: readonly ShaderData[];
  readonly dispatches: readonly DispatchData[];
  /** Device limits above the WebGPU defaults that this program needs. */
  readonly requiredLimits: Readonly<Record<string, number>>;
}

/** What one executable created on the device (all released by dispose()). */
export interface ProgramStats {
  readonly dispatches: number;
  readonly shaderModules: number;
  readonly pipelines: number;
  readonly bindGroupLayouts: number;
  readonly bindGroups: number;
  /** Buffers created (arenas and staging), and those not yet destroyed. */
  readonly buffers: number;
  readonly liveBuffers: number;
}

export interface DeviceProgram<I, P, O> {
  /** Write the inputs, run every dispatch in one command buffer, read the outputs back. */
  run(inputs: I): Promise<O>;
  readParams(): Promise<P>;
  writeParams(values: Partial<P>): void;
  /** Where each param lives on the device (for device-to-device copies). */
  readonly paramBindings: { readonly [K in keyof P]: GPUBufferBinding };
  readonly stats: ProgramStats;
  dispose(): void;
}

export class DeviceError extends Error {
  override readonly name = 'DeviceError';
}

// Buffer usage, map mode and shader stage flags (numeric, so no WebGPU globals are needed).
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const COMPUTE = 0x4;

/** The shader module of one kernel: its bindings (numbered from 0), what it uses, its body. */
export function shaderCode(s: ShaderData, common: Readonly<Record<string, string>>): string {
  const decls = s.bindings.map(
    ([name, type], n) =>
      `@group(0) @binding(${n}) var<storage, read_write> ${name}: array<${type}>;`,
  );
  const uses = s.uses.map((u) => common[u]!);
  return [...decls, ...uses, s.body].join('\n\n') + '\n';
}

/** Throws on the first WGSL error, naming the kernel and quoting its line of the .wgsl file. */
async function checkCompile(module: GPUShaderModule, s: ShaderData, code: string, label: string) {
  const info = await module.getCompilationInfo();
  const err = info.messages.find((m) => m.type === 'error');
  if (!err) return;
  const lines = code.split('\n');
  // Lines before the body (the module ends with a newline, so its last line is empty).
  const bodyAt = lines.length - 1 - s.body.split('\n').length;
  // In the body: the line of the program's .wgsl file; before it, the module's own line.
  const inBody = err.lineNum > bodyAt;
  const line = inBody ? s.line + err.lineNum - bodyAt - 1 : err.lineNum;
  const where = inBody ? `${label}` : `the module of ${s.entry}`;
  throw new DeviceError(
    `WGSL compile error in kernel ${s.entry} at line ${line}:${err.linePos} of ${where}: ` +
      `${err.message}\n  ${lines[err.lineNum - 1]?.trim() ?? ''}`,
  );
}

/** Runs `fn` inside validation and out-of-memory error scopes; a captured error is thrown. */
async function scoped<T>(device: GPUDevice, what: string, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let out: T;
  try {
    out = await fn();
  } finally {
    const errors = [await device.popErrorScope(), await device.popErrorScope()];
    const e = errors.find((x) => x);
    if (e) throw new DeviceError(`WebGPU error while ${what}: ${e.message}`);
  }
  return out;
}

/**
 * Every device object of a program, held strongly until dispose(): layouts are shared by kernels
 * with the same number of bindings, pipelines by kernels with the same shader, and bind groups by
 * dispatches that bind the same arenas with the same sizes (offsets are dynamic, given per
 * dispatch), so a program needs few of each however many kernels it has.
 */
interface Resources {
  readonly arenas: GPUBuffer[];
  readonly staging: GPUBuffer[];
  readonly modules: GPUShaderModule[];
  readonly layouts: Map<number, Layout>;
  readonly pipelines: GPUComputePipeline[];
  readonly groups: GPUBindGroup[];
  /** Per dispatch: its pipeline, bind group and dynamic offsets (bytes). */
  readonly steps: { pipeline: GPUComputePipeline; group: GPUBindGroup; offsets: number[] }[];
}

interface Layout {
  readonly group: GPUBindGroupLayout;
  readonly pipeline: GPUPipelineLayout;
  /** Offsets given at dispatch (when the device allows that many dynamic storage buffers). */
  readonly dynamic: boolean;
}

function layoutFor(device: GPUDevice, res: Resources, n: number, label: string): Layout {
  let l = res.layouts.get(n);
  if (!l) {
    const dynamic = n <= device.limits.maxDynamicStorageBuffersPerPipelineLayout;
    const entries = Array.from({ length: n }, (_, binding) => ({
      binding,
      visibility: COMPUTE,
      buffer: { type: 'storage' as const, hasDynamicOffset: dynamic },
    }));
    const group = device.createBindGroupLayout({ label: `${label} ${n} bindings`, entries });
    l = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: [group] }), dynamic };
    res.layouts.set(n, l);
  }
  return l;
}

async function createPipeline<I, P, O>(
  device: GPUDevice,
  res: Resources,
  data: ProgramData<I, P, O>,
  s: ShaderData,
): Promise<GPUComputePipeline> {
  const code = shaderCode(s, data.common);
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: `${data.label} ${s.entry}` });
  res.modules.push(module);
  const moduleError = device.popErrorScope();
  await checkCompile(module, s, code, data.label);
  const rejected = await moduleError;
  if (rejected) throw new DeviceError(`WGSL module of ${s.entry} rejected: ${rejected.message}`);
  const layout = layoutFor(device, res, s.bindings.length, data.label).pipeline;
  const compute = { module, entryPoint: s.entry };
  return device
    .createComputePipelineAsync({ label: s.entry, layout, compute })
    .catch((e: Error) => {
      throw new DeviceError(`cannot create the pipeline of kernel ${s.entry}: ${e.message}`);
    });
}

async function createResources<I, P, O>(
  device: GPUDevice,
  data: ProgramData<I, P, O>,
): Promise<Resources> {
  const res: Resources = {
    ...{ arenas: [], staging: [], modules: [], layouts: new Map() },
    ...{ pipelines: [], groups: [], steps: [] },
  };
  const usage = STORAGE | COPY_SRC | COPY_DST;
  await scoped(device, 'creating buffers', () => {
    data.arenas.forEach(([dtype, n], i) => {
      const label = `${data.label} arena ${i} (${dtype})`;
      res.arenas.push(device.createBuffer({ label, size: Math.max(n, 1) * 4, usage }));
    });
  });
  // One after another: lavapipe compiles on the CPU, and parallel creation only adds memory.
  for (const s of data.shaders) res.pipelines.push(await createPipeline(device, res, data, s));
  await scoped(device, 'creating bind groups', () => createGroups(device, res, data));
  return res;
}

/** One bind group per distinct (arena, size) list, or per range list without dynamic offsets. */
function createGroups<I, P, O>(device: GPUDevice, res: Resources, data: ProgramData<I, P, O>) {
  const groupOf = new Map<string, GPUBindGroup>();
  for (const d of data.dispatches) {
    const s = data.shaders[d.shader]!;
    const layout = layoutFor(device, res, s.bindings.length, data.label);
    // Bound as [arena, offset in the group, elements]; dynamic offsets move each binding.
    const bound = d.ranges.map(([a, off, n]) => [a, layout.dynamic ? 0 : off, n] as const);
    const key = bound.map((r) => r.join(':')).join(',');
    let group = groupOf.get(key);
    if (!group) {
      const entries = bound.map(([a, off, n], binding) => ({
        binding,
        resource: { buffer: res.arenas[a]!, offset: off * 4, size: Math.max(n, 1) * 4 },
      }));
      group = device.createBindGroup({ label: s.entry, layout: layout.group, entries });
      groupOf.set(key, group);
      res.groups.push(group);
    }
    const offsets = layout.dynamic ? d.ranges.map(([, off]) => off * 4) : [];
    res.steps.push({ pipeline: res.pipelines[d.shader]!, group, offsets });
  }
}

/** Every dispatch of a step in one compute pass. */
function encodeStep<I, P, O>(device: GPUDevice, res: Resources, data: ProgramData<I, P, O>) {
  const enc = device.createCommandEncoder({ label: data.label });
  const pass = enc.beginComputePass();
  data.dispatches.forEach((d, i) => {
    const { pipeline, group, offsets } = res.steps[i]!;
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, offsets);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
  });
  pass.end();
  return enc;
}

/** Typed views of readback bytes laid out in the order of `table`. */
function views(bytes: ArrayBuffer, table: Readonly<Record<string, Region>>) {
  const out = Object.create(null) as Record<string, Float32Array | Int32Array>; // user names
  let at = 0;
  for (const [name, [, , n, dtype]] of Object.entries(table)) {
    out[name] = dtype === 'f32' ? new Float32Array(bytes, at, n) : new Int32Array(bytes, at, n);
    at += n * 4;
  }
  return out;
}

const bytesOf = (t: Readonly<Record<string, Region>>) =>
  Object.values(t).reduce((s, r) => s + r[2] * 4, 0);

/** Rejects when the device is lost (so a pending readback never hangs). */
function watchLost(device: GPUDevice): { promise: Promise<never>; reason: string | null } {
  const state: { promise: Promise<never>; reason: string | null } = {
    promise: null!,
    reason: null,
  };
  state.promise = device.lost.then((info) => {
    state.reason = `device lost (${info.reason}): ${info.message}`;
    throw new DeviceError(state.reason);
  });
  state.promise.catch(() => {});
  return state;
}

/** Copies `table`'s regions into `staging` after `enc`'s commands, submits, returns the bytes. */
async function readBack(
  device: GPUDevice,
  res: Resources,
  enc: GPUCommandEncoder,
  staging: GPUBuffer,
  table: Readonly<Record<string, Region>>,
  lost: Promise<never>,
): Promise<ArrayBuffer> {
  let at = 0;
  for (const [a, off, n] of Object.values(table)) {
    enc.copyBufferToBuffer(res.arenas[a]!, off * 4, staging, at, n * 4);
    at += n * 4;
  }
  device.queue.submit([enc.finish()]);
  await Promise.race([staging.mapAsync(MAP_READ), lost]);
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  return bytes;
}

function checkLimits(device: GPUDevice, label: string, required: Readonly<Record<string, number>>) {
  const have = device.limits as unknown as Record<string, number>;
  for (const [key, need] of Object.entries(required)) {
    if ((have[key] ?? 0) < need) {
      throw new DeviceError(
        `${label} needs ${key} >= ${need} (device has ${have[key]}): request requiredLimits`,
      );
    }
  }
}

type Table = Readonly<Record<string, Region>>;
type Arrays = Record<string, Float32Array | Int32Array>;

/** Creates buffers, pipelines and bind groups once, and uploads consts and the initial params. */
export async function createProgram<I, P, O>(
  device: GPUDevice,
  data: ProgramData<I, P, O>,
  params: P,
): Promise<DeviceProgram<I, P, O>> {
  checkLimits(device, data.label, data.requiredLimits);
  const [inputs, paramTable, outputs] = [data.inputs, data.params, data.outputs] as Table[];
  const lost = watchLost(device);
  const res = await createResources(device, data);
  const write = ([a, off, n]: Region, v: Float32Array | Int32Array, name: string) => {
    if (v.length !== n) throw new DeviceError(`${name}: expected ${n} values, got ${v.length}`);
    device.queue.writeBuffer(res.arenas[a]!, off * 4, v.buffer, v.byteOffset, n * 4);
  };
  for (const [r, values] of data.consts) {
    write(r, r[3] === 'f32' ? Float32Array.from(values) : Int32Array.from(values), 'const');
  }
  /** Params the optimized program never reads (and so has no buffer for) are skipped. */
  const writeParams = (values: Partial<P>) => {
    for (const [name, v] of Object.entries(values as Arrays)) {
      const r = paramTable![name];
      if (v && r) write(r, v, name);
    }
  };
  writeParams(params);
  const staging = (bytes: number, label: string) => {
    const b = device.createBuffer({ label, size: Math.max(bytes, 4), usage: MAP_READ | COPY_DST });
    res.staging.push(b);
    return b;
  };
  const outStaging = staging(bytesOf(outputs!), `${data.label} outputs`);
  const paramStaging = staging(bytesOf(paramTable!), `${data.label} params`);
  // One call at a time: each reuses the same staging buffers.
  let busy: Promise<unknown> = Promise.resolve();
  let disposed = false;
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = busy.then(() => {
      if (disposed) throw new DeviceError(`${data.label} was disposed`);
      if (lost.reason) throw new DeviceError(lost.reason);
      return fn();
    });
    busy = run.catch(() => {});
    return run;
  }
  const run = (values: I) =>
    serial(async () => {
      for (const [name, r] of Object.entries(inputs!)) write(r, (values as Arrays)[name]!, name);
      const bytes = await scoped(device, 'running a step', () =>
        readBack(device, res, encodeStep(device, res, data), outStaging, outputs!, lost.promise),
      );
      return views(bytes, outputs!) as O;
    });
  const readParams = () =>
    serial(async () => {
      const enc = device.createCommandEncoder({ label: 'read params' });
      const bytes = await readBack(device, res, enc, paramStaging, paramTable!, lost.promise);
      return views(bytes, paramTable!) as P;
    });
  const paramBindings = Object.fromEntries(
    Object.entries(paramTable!).map(([k, [a, off, n]]) => {
      return [k, { buffer: res.arenas[a]!, offset: off * 4, size: n * 4 }];
    }),
  ) as DeviceProgram<I, P, O>['paramBindings'];
  let live = res.arenas.length + res.staging.length;
  const stats: ProgramStats = {
    dispatches: data.dispatches.length,
    shaderModules: res.modules.length,
    pipelines: res.pipelines.length,
    bindGroupLayouts: res.layouts.size,
    bindGroups: res.groups.length,
    buffers: live,
    get liveBuffers() {
      return live;
    },
  };
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const b of [...res.arenas, ...res.staging]) b.destroy();
    live = 0;
    // Drop every reference: the device objects go once this program is unreachable.
    for (const list of [res.arenas, res.staging, res.modules, res.pipelines, res.groups, res.steps])
      list.length = 0;
    res.layouts.clear();
  };
  return { run, readParams, writeParams, paramBindings, stats, dispose };
}
