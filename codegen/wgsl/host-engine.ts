// The fixed part of every generated WebGPU host: resource creation with error scopes and WGSL
// diagnostics, the one-command-buffer step, output/param readback. Checked by tsc via the golden.
import { commentText, quote } from '../names.ts';

/** Flags, the error class, and small helpers that do not depend on the program. */
const SUPPORT = `
// Buffer usage and map mode flags (numeric, so no WebGPU globals are needed).
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

export class DeviceError extends Error {
  override readonly name = 'DeviceError';
}

const WGSL_LINES = wgsl.split('\\n');

/** The shader module text of one dispatch: its line ranges of \`wgsl\`. */
const sourceOf = (d: Dispatch) => d.source.flatMap(([a, b]) => WGSL_LINES.slice(a, b)).join('\\n');

/** Throws on the first WGSL error, naming the kernel and quoting the offending line of \`wgsl\`. */
async function checkCompile(module: GPUShaderModule, d: Dispatch): Promise<void> {
  const info = await module.getCompilationInfo();
  const err = info.messages.find((m) => m.type === 'error');
  if (!err) return;
  // Line numbers count lines of the dispatch's module: map them back to \`wgsl\`.
  let line = err.lineNum;
  for (const [a, b] of d.source) {
    if (line <= b - a) {
      line += a;
      break;
    }
    line -= b - a;
  }
  throw new DeviceError(
    \`WGSL compile error in kernel \${d.entry} at line \${line}:\${err.linePos}: \${err.message}\\n  \${WGSL_LINES[line - 1] ?? ''}\`,
  );
}

/** One shader module and compute pipeline per dispatch (small modules compile fast). */
async function createPipeline(device: GPUDevice, d: Dispatch): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: sourceOf(d), label: \`\${FILE} \${d.entry}\` });
  const moduleError = device.popErrorScope();
  await checkCompile(module, d);
  const rejected = await moduleError;
  if (rejected) throw new DeviceError(\`WGSL module of \${d.entry} rejected: \${rejected.message}\`);
  const compute = { module, entryPoint: d.entry };
  return device
    .createComputePipelineAsync({ label: d.entry, layout: 'auto', compute })
    .catch((e: Error) => {
      throw new DeviceError(\`cannot create the pipeline of kernel \${d.entry}: \${e.message}\`);
    });
}

/** Runs \`fn\` inside validation and out-of-memory error scopes; a captured error is thrown. */
async function scoped<T>(device: GPUDevice, what: string, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let out: T;
  try {
    out = await fn();
  } finally {
    const errors = [await device.popErrorScope(), await device.popErrorScope()];
    const e = errors.find((x) => x);
    if (e) throw new DeviceError(\`WebGPU error while \${what}: \${e.message}\`);
  }
  return out;
}

/** Typed views of readback bytes laid out in the order of \`table\`. */
function views(bytes: ArrayBuffer, table: Record<string, Region>) {
  const out: Record<string, Float32Array | Int32Array> = {};
  let at = 0;
  for (const [name, [, , n, dtype]] of Object.entries(table)) {
    out[name] = dtype === 'f32' ? new Float32Array(bytes, at, n) : new Int32Array(bytes, at, n);
    at += n * 4;
  }
  return out;
}

const bytesOf = (t: Record<string, Region>) => Object.values(t).reduce((s, r) => s + r[2] * 4, 0);

interface Resources {
  readonly arenas: readonly GPUBuffer[];
  readonly pipelines: readonly GPUComputePipeline[];
  readonly groups: readonly GPUBindGroup[];
}

async function createResources(device: GPUDevice): Promise<Resources> {
  const usage = STORAGE | COPY_SRC | COPY_DST;
  const arenas = await scoped(device, 'creating buffers', () =>
    ARENAS.map(([dtype, n], i) =>
      device.createBuffer({ label: \`arena \${i} (\${dtype})\`, size: n * 4, usage }),
    ),
  );
  const pipelines = await Promise.all(DISPATCHES.map((d) => createPipeline(device, d)));
  const groups = await scoped(device, 'creating bind groups', () =>
    DISPATCHES.map((d, i) =>
      device.createBindGroup({
        label: d.entry,
        layout: pipelines[i]!.getBindGroupLayout(0),
        entries: d.bindings.map(([binding, a, off, n]) => ({
          binding,
          resource: { buffer: arenas[a]!, offset: off * 4, size: n * 4 },
        })),
      }),
    ),
  );
  return { arenas, pipelines, groups };
}

/** Every dispatch of a step in one compute pass. */
function encodeStep(device: GPUDevice, res: Resources): GPUCommandEncoder {
  const enc = device.createCommandEncoder({ label: FILE });
  const pass = enc.beginComputePass();
  DISPATCHES.forEach((d, i) => {
    pass.setPipeline(res.pipelines[i]!);
    pass.setBindGroup(0, res.groups[i]!);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
  });
  pass.end();
  return enc;
}

/** Rejects when the device is lost (so a pending readback never hangs). */
function watchLost(device: GPUDevice): { promise: Promise<never>; reason: string | null } {
  const state: { promise: Promise<never>; reason: string | null } = { promise: null!, reason: null };
  state.promise = device.lost.then((info) => {
    state.reason = \`device lost (\${info.reason}): \${info.message}\`;
    throw new DeviceError(state.reason);
  });
  state.promise.catch(() => {});
  return state;
}

/** Copies \`table\`'s regions into \`staging\` after \`enc\`'s commands, submits, returns the bytes. */
async function readBack(
  device: GPUDevice,
  res: Resources,
  enc: GPUCommandEncoder,
  staging: GPUBuffer,
  table: Record<string, Region>,
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
`;

function modelInterface(entry: string): string {
  const doc =
    entry === 'step'
      ? 'One training step: forward, backward and update; params change on the device.'
      : 'Evaluate the graph; params are not changed.';
  return `
export interface Model {
  /** ${doc} Resolves with the outputs. */
  ${entry}(inputs: Inputs): Promise<Outputs>;
  /** Read every param back from the device. */
  readParams(): Promise<Params>;
  /** Overwrite some params on the device (takes effect before the next ${entry}). */
  writeParams(values: Partial<Params>): void;
  /** Where each param lives on the device (for device-to-device copies). */
  readonly paramBindings: { readonly [K in keyof Params]: GPUBufferBinding };
  dispose(): void;
}

function checkLimits(device: GPUDevice): void {
  const have = device.limits as unknown as Record<string, number>;
  for (const [key, need] of Object.entries(requiredLimits)) {
    if ((have[key] ?? 0) < need) {
      throw new DeviceError(\`\${FILE} needs \${key} >= \${need} (device has \${have[key]}): request requiredLimits\`);
    }
  }
}
`;
}

function createModel(entry: string): string {
  return `
/** Creates buffers, pipelines and bind groups once, and uploads consts and the initial params. */
export async function createModel(device: GPUDevice, params: Params): Promise<Model> {
  checkLimits(device);
  const lost = watchLost(device);
  const res = await createResources(device);
  const write = ([a, off, n]: Region, data: Float32Array | Int32Array, name: string) => {
    if (data.length !== n) throw new DeviceError(\`\${name}: expected \${n} values, got \${data.length}\`);
    device.queue.writeBuffer(res.arenas[a]!, off * 4, data.buffer, data.byteOffset, n * 4);
  };
  for (const [r, values] of CONSTS) {
    write(r, r[3] === 'f32' ? Float32Array.from(values) : Int32Array.from(values), 'const');
  }
  /** Params the optimized program never reads (and so has no buffer for) are skipped. */
  const writeParams = (values: Partial<Params>) => {
    for (const [name, v] of Object.entries(values)) {
      const r = (PARAMS as Record<string, Region | undefined>)[name];
      if (v && r) write(r, v, name);
    }
  };
  writeParams(params);
  const staging = (bytes: number, label: string) =>
    device.createBuffer({ label, size: Math.max(bytes, 4), usage: MAP_READ | COPY_DST });
  const outStaging = staging(bytesOf(OUTPUTS), 'outputs');
  const paramStaging = staging(bytesOf(PARAMS), 'params');
  // One call at a time: each reuses the same staging buffers.
  let busy: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = busy.then(() => {
      if (lost.reason) throw new DeviceError(lost.reason);
      return fn();
    });
    busy = run.catch(() => {});
    return run;
  }
  const ${entry} = (inputs: Inputs) =>
    serial(async () => {
      for (const [name, r] of Object.entries(INPUTS)) write(r, inputs[name as keyof Inputs], name);
      const bytes = await scoped(device, 'running a step', () =>
        readBack(device, res, encodeStep(device, res), outStaging, OUTPUTS, lost.promise),
      );
      return views(bytes, OUTPUTS) as unknown as Outputs;
    });
  const readParams = () =>
    serial(async () => {
      const enc = device.createCommandEncoder({ label: 'read params' });
      const bytes = await readBack(device, res, enc, paramStaging, PARAMS, lost.promise);
      return views(bytes, PARAMS) as unknown as Params;
    });
  const paramBindings = Object.fromEntries(
    Object.entries(PARAMS).map(([k, [a, off, n]]) => [k, { buffer: res.arenas[a]!, offset: off * 4, size: n * 4 }]),
  ) as unknown as Model['paramBindings'];
  const dispose = () => {
    for (const b of [...res.arenas, outStaging, paramStaging]) b.destroy();
  };
  return { ${entry}, readParams, writeParams, paramBindings, dispose };
}
`;
}

/** The engine text for a program named `name` whose entry is `entry`. */
export function engine(name: string, entry: 'step' | 'run', wgslFile: string): string {
  const file = `\n/** Label for device objects and messages. */\nconst FILE = ${quote(`${commentText(name)} (${wgslFile})`)};\n`;
  return file + SUPPORT + modelInterface(entry) + createModel(entry);
}
