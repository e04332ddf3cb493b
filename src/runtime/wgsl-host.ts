// The WebGPU engine of every generated WGSL host: builds each dispatch's shader module from kernel
// data, shares layouts/pipelines/bind groups, runs a step as one command buffer, reads results back.
// Its only import is wgsl-device.ts (the device objects programs share): codegen embeds both files'
// text, without the import, in each generated host (codegen/wgsl/engine-build.ts).
import { DeviceError, scoped, SharedObjects } from './wgsl-device.ts';
import type { Created, ShaderData } from './wgsl-device.ts';

/** Storage type of an arena: every tensor lives at a fixed offset in one arena buffer. */
export type Dtype = 'f32' | 'i32';
/** [arena, element offset, elements, storage type]: where a tensor lives on the device. */
export type Region = readonly [number, number, number, Dtype];
/** [arena, element offset, elements] behind one binding of a dispatch. */
export type Range = readonly [number, number, number];

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
  /**
   * The numerics guard (compile option checkNumerics; absent when off): kernels lower word w of
   * arena `arena` to `index·4 + kind` when they write a non-finite value into `sites[w]`'s
   * buffer. A step resets the words, reads them back with the outputs, and throws at the first.
   */
  readonly numerics?: {
    readonly arena: number;
    /** [buffer, what wrote it] per status word, in step order. */
    readonly sites: readonly (readonly [string, string])[];
  };
}

/**
 * Part of a program run on its resources: some of its dispatches, the inputs they read and the
 * outputs they compute (a training host's `run`: the step's forward pass, on the same arenas).
 */
export interface ProgramPart<I, O> {
  readonly inputs: { readonly [K in keyof I]: Region };
  readonly outputs: { readonly [K in keyof O]: Region };
  /** Indexes into the program's dispatches, in order. */
  readonly dispatches: readonly number[];
}

/** The device objects one executable uses (all released by dispose()). */
export interface ProgramStats {
  readonly dispatches: number;
  readonly shaderModules: number;
  readonly pipelines: number;
  readonly bindGroupLayouts: number;
  readonly bindGroups: number;
  /** Modules, pipelines and layouts it created; the others were shared by other executables. */
  readonly created: Readonly<Created>;
  /** Buffers created (arenas and staging), and those not yet destroyed. */
  readonly buffers: number;
  readonly liveBuffers: number;
}

export interface DeviceProgram<I, P, O> {
  /** Write the inputs, run every dispatch in one command buffer, read the outputs back. */
  run(inputs: I): Promise<O>;
  /** The same for a part of the program: its dispatches only, on the same arenas and params. */
  runPart<PI, PO>(part: ProgramPart<PI, PO>, inputs: PI): Promise<PO>;
  readParams(): Promise<P>;
  writeParams(values: Partial<P>): void;
  /** Where each param lives on the device (for device-to-device copies). */
  readonly paramBindings: { readonly [K in keyof P]: GPUBufferBinding };
  readonly stats: ProgramStats;
  dispose(): void;
}

/**
 * The numerics guard found a non-finite value: the message names the buffer, the element, the
 * kernel, its ops and the user's lines (as the TypeScript target's check does); `paramsBefore`
 * holds the params as they were before the failing call (for finding the op that produced it).
 */
export class NonFiniteError<P = unknown> extends Error {
  override readonly name = 'NumericsError';
  constructor(
    message: string,
    readonly paramsBefore: P,
  ) {
    super(message);
  }
}

// Buffer usage, map mode and shader stage flags (numeric, so no WebGPU globals are needed).
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

/**
 * Every device object of a program, held strongly until dispose(). Layouts (by binding count) and
 * pipelines (by shader text) come from the device's cache, shared with other programs; bind groups
 * are shared by dispatches that bind the same arenas with the same sizes (offsets are dynamic,
 * given per dispatch), so a program needs few of each however many kernels it has.
 */
interface Resources {
  readonly arenas: GPUBuffer[];
  readonly staging: GPUBuffer[];
  readonly shared: SharedObjects;
  /** Per shader of the program, its pipeline. */
  readonly pipelines: GPUComputePipeline[];
  readonly groups: GPUBindGroup[];
  /** Per dispatch: its pipeline, bind group and dynamic offsets (bytes). */
  readonly steps: { pipeline: GPUComputePipeline; group: GPUBindGroup; offsets: number[] }[];
}

async function createResources<I, P, O>(
  device: GPUDevice,
  data: ProgramData<I, P, O>,
): Promise<Resources> {
  const shared = new SharedObjects(device, data.label);
  const res: Resources = { arenas: [], staging: [], shared, pipelines: [], groups: [], steps: [] };
  try {
    const usage = STORAGE | COPY_SRC | COPY_DST;
    await scoped(device, 'creating buffers', () => {
      data.arenas.forEach(([dtype, n], i) => {
        const label = `${data.label} arena ${i} (${dtype})`;
        res.arenas.push(device.createBuffer({ label, size: Math.max(n, 1) * 4, usage }));
      });
    });
    // One after another: lavapipe compiles on the CPU, and parallel creation only adds memory.
    for (const s of data.shaders) res.pipelines.push(await shared.pipeline(s, data.common));
    await scoped(device, 'creating bind groups', () => createGroups(device, res, data));
  } catch (e) {
    shared.release(); // a program that failed to build holds nothing in the cache
    for (const b of res.arenas) b.destroy();
    throw e;
  }
  return res;
}

/** One bind group per distinct (arena, size) list, or per range list without dynamic offsets. */
function createGroups<I, P, O>(device: GPUDevice, res: Resources, data: ProgramData<I, P, O>) {
  const groupOf = new Map<string, GPUBindGroup>();
  for (const d of data.dispatches) {
    const s = data.shaders[d.shader]!;
    const layout = res.shared.layout(s.bindings.length);
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

/** The dispatches `which` (indexes) of a step in one compute pass (after `prelude`'s copies). */
function encodeStep<I, P, O>(
  device: GPUDevice,
  res: Resources,
  data: ProgramData<I, P, O>,
  which: readonly number[],
  prelude: (enc: GPUCommandEncoder) => void,
) {
  const enc = device.createCommandEncoder({ label: data.label });
  prelude(enc);
  const pass = enc.beginComputePass();
  which.forEach((i) => {
    const d = data.dispatches[i]!;
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

/** The numerics guard's status words: all ones while every checked value is finite. */
const FINITE = 0xffffffff;

/** The message for the first status word that is set, or null when every value was finite. */
function nonFiniteMessage(status: Uint32Array, sites: readonly (readonly [string, string])[]) {
  const w = status.findIndex((code) => code !== FINITE);
  if (w < 0) return null;
  const code = status[w]!;
  const value = [NaN, Infinity, -Infinity][code & 3];
  const [buf, what] = sites[w]!;
  return `non-finite value ${value} in ${buf}[${code >>> 2}] after ${what}`;
}

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

/** [buffer, element offset, elements]: a range of any device buffer. */
type Span = readonly [GPUBuffer, number, number];

/** Copies `spans` one after another into `staging` after `enc`'s commands, submits, maps. */
async function readBack(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  staging: GPUBuffer,
  spans: readonly Span[],
  lost: Promise<never>,
): Promise<ArrayBuffer> {
  let at = 0;
  for (const [buffer, off, n] of spans) {
    enc.copyBufferToBuffer(buffer, off * 4, staging, at, n * 4);
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
  const spans = (t: Table): Span[] =>
    Object.values(t).map(([a, off, n]) => [res.arenas[a]!, off, n]);
  const guard = data.numerics;
  const words = guard?.sites.length ?? 0;
  // The guard's status words come back with the outputs: one readback per step either way.
  const outSpans = (outs: Table) => [
    ...spans(outs),
    ...(guard ? [[res.arenas[guard.arena]!, 0, words] as const] : []),
  ];
  const outStaging = staging(bytesOf(outputs!) + words * 4, `${data.label} outputs`);
  const paramBytes = bytesOf(paramTable!);
  const paramStaging = staging(paramBytes, `${data.label} params`);
  // With the guard, a step first copies the params aside on the device, so that a failed step
  // can report the params it started from (read back only then).
  const before = guard
    ? device.createBuffer({
        label: `${data.label} params before`,
        size: Math.max(paramBytes, 4),
        usage: COPY_SRC | COPY_DST,
      })
    : null;
  if (before) res.staging.push(before);
  const allFinite = new Uint32Array(words).fill(FINITE);
  const keepParams = (enc: GPUCommandEncoder) => {
    let at = 0;
    for (const [buffer, off, n] of before ? spans(paramTable!) : []) {
      enc.copyBufferToBuffer(buffer, off * 4, before!, at * 4, n * 4);
      at += n;
    }
  };
  const paramsFrom = async (from: readonly Span[], label: string) => {
    const enc = device.createCommandEncoder({ label });
    const bytes = await readBack(device, enc, paramStaging, from, lost.promise);
    return views(bytes, paramTable!) as P;
  };
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
  const all = data.dispatches.map((_, i) => i);
  /** Run dispatches `which` reading inputs `ins` and reading outputs `outs` back. */
  const runWith = (ins: Table, outs: Table, which: readonly number[], values: unknown) =>
    serial(async () => {
      for (const [name, r] of Object.entries(ins)) write(r, (values as Arrays)[name]!, name);
      if (guard) device.queue.writeBuffer(res.arenas[guard.arena]!, 0, allFinite);
      const bytes = await scoped(device, 'running a step', () =>
        readBack(
          device,
          encodeStep(device, res, data, which, keepParams),
          outStaging, // a part's outputs are some of the program's: they fit
          outSpans(outs),
          lost.promise,
        ),
      );
      const status = new Uint32Array(bytes, bytesOf(outs), words);
      const message = guard ? nonFiniteMessage(status, guard.sites) : null;
      if (message) {
        const kept = [[before!, 0, paramBytes / 4] as const];
        throw new NonFiniteError(message, await paramsFrom(kept, 'read params before'));
      }
      return views(bytes, outs);
    });
  const run = async (values: I) => (await runWith(inputs!, outputs!, all, values)) as O;
  const runPart = async <PI, PO>(part: ProgramPart<PI, PO>, values: PI) =>
    (await runWith(part.inputs as Table, part.outputs as Table, part.dispatches, values)) as PO;
  const readParams = () => serial(() => paramsFrom(spans(paramTable!), 'read params'));
  const paramBindings = Object.fromEntries(
    Object.entries(paramTable!).map(([k, [a, off, n]]) => {
      return [k, { buffer: res.arenas[a]!, offset: off * 4, size: n * 4 }];
    }),
  ) as DeviceProgram<I, P, O>['paramBindings'];
  let live = res.arenas.length + res.staging.length;
  const stats: ProgramStats = {
    dispatches: data.dispatches.length,
    shaderModules: res.pipelines.length, // one module per pipeline
    pipelines: res.pipelines.length,
    bindGroupLayouts: new Set(data.shaders.map((s) => s.bindings.length)).size,
    bindGroups: res.groups.length,
    created: { ...res.shared.created },
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
    // Drop every reference: shared objects no other program uses leave the device's cache.
    for (const list of [res.arenas, res.staging, res.pipelines, res.groups, res.steps])
      list.length = 0;
    res.shared.release();
  };
  return { run, runPart, readParams, writeParams, paramBindings, stats, dispose };
}
