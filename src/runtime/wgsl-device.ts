// The device objects WGSL programs share on one GPUDevice: bind-group layouts (by binding count)
// and shader modules with their pipelines (by code, names aside, and layout), counted by users and
// dropped when the last program using it is disposed. Self-contained (no imports): generated hosts
// embed this file with wgsl-host.ts. The cache is found through a global symbol, so the hosts of
// different executables (each with its own copy of this code) share it.

export class DeviceError extends Error {
  override readonly name = 'DeviceError';
}

/** One kernel's shader, as data: binding n of its module is `bindings[n]`. */
export interface ShaderData {
  /**
   * Equal for shaders that differ only in names (a digest of their names-free code): programs on
   * one device share a pipeline by it. Without it, by the module's text.
   */
  readonly key?: string;
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
export async function scoped<T>(
  device: GPUDevice,
  what: string,
  fn: () => T | Promise<T>,
): Promise<T> {
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

const COMPUTE = 0x4; // GPUShaderStage.COMPUTE (numeric: no WebGPU globals needed)

export interface Layout {
  readonly group: GPUBindGroupLayout;
  readonly pipeline: GPUPipelineLayout;
  /** Offsets given at dispatch (when the device allows that many dynamic storage buffers). */
  readonly dynamic: boolean;
}

/** A shared object and how many programs use it; `hold` keeps what it needs referenced. */
interface Entry<T> {
  readonly value: T;
  readonly hold: readonly unknown[];
  users: number;
}

interface DeviceCache {
  readonly layouts: Map<string, Entry<Layout>>;
  readonly pipelines: Map<string, Entry<Promise<GPUComputePipeline>>>;
}

/** The cache of each device, reachable from every copy of this code. */
function cacheOf(device: GPUDevice): DeviceCache {
  const slot = globalThis as { [k: symbol]: WeakMap<GPUDevice, DeviceCache> | undefined };
  const key = Symbol.for('gradc.wgsl.deviceCache');
  const caches = (slot[key] ??= new WeakMap());
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = { layouts: new Map(), pipelines: new Map() }));
  return cache;
}

/** How many layouts and pipelines programs on `device` hold now (for tests and diagnostics). */
export function sharedObjects(device: GPUDevice): { layouts: number; pipelines: number } {
  const c = cacheOf(device);
  return { layouts: c.layouts.size, pipelines: c.pipelines.size };
}

/** Objects a program created itself; the rest of what it uses came from the device's cache. */
export interface Created {
  shaderModules: number;
  pipelines: number;
  bindGroupLayouts: number;
}

/** What one program takes from its device's cache; release() gives it all back. */
export class SharedObjects {
  readonly created: Created = { shaderModules: 0, pipelines: 0, bindGroupLayouts: 0 };
  private readonly cache: DeviceCache;
  /** Each entry taken, with where it is cached. */
  private readonly taken = new Map<
    Entry<unknown>,
    readonly [Map<string, Entry<unknown>>, string]
  >();

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
  ) {
    this.cache = cacheOf(device);
  }

  private take<T>(map: Map<string, Entry<T>>, key: string, make: () => Entry<T>): T {
    let e = map.get(key);
    if (!e) map.set(key, (e = make()));
    if (!this.taken.has(e)) {
      e.users++;
      this.taken.set(e, [map as Map<string, Entry<unknown>>, key]);
    }
    return e.value;
  }

  /** The layout for `n` storage bindings. */
  layout(n: number): Layout {
    return this.take(this.cache.layouts, String(n), () => {
      const dynamic = n <= this.device.limits.maxDynamicStorageBuffersPerPipelineLayout;
      const entries = Array.from({ length: n }, (_, binding) => ({
        binding,
        visibility: COMPUTE,
        buffer: { type: 'storage' as const, hasDynamicOffset: dynamic },
      }));
      const group = this.device.createBindGroupLayout({ label: `${n} bindings`, entries });
      const pipeline = this.device.createPipelineLayout({ bindGroupLayouts: [group] });
      this.created.bindGroupLayouts++;
      return { value: { group, pipeline, dynamic }, hold: [], users: 0 };
    });
  }

  /** The pipeline of shader `s` (its module checked for WGSL errors when first created). */
  pipeline(s: ShaderData, common: Readonly<Record<string, string>>): Promise<GPUComputePipeline> {
    const code = shaderCode(s, common);
    const layout = this.layout(s.bindings.length);
    const map = this.cache.pipelines;
    // One pipeline serves every kernel with this code, whatever its names (bindings go by number).
    const key = `${s.bindings.length}\n${s.key ?? code}`;
    return this.take(map, key, () => {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code, label: `${this.label} ${s.entry}` });
      const rejected = this.device.popErrorScope();
      this.created.shaderModules++;
      this.created.pipelines++;
      const value = this.compile(module, s, code, layout, rejected);
      const entry = { value, hold: [module, layout], users: 0 };
      // A failed pipeline is not kept for the next program to meet.
      value.catch(() => map.get(key) === entry && map.delete(key));
      return entry;
    });
  }

  private async compile(
    module: GPUShaderModule,
    s: ShaderData,
    code: string,
    layout: Layout,
    rejected: Promise<GPUError | null>,
  ) {
    await checkCompile(module, s, code, this.label);
    const e = await rejected;
    if (e) throw new DeviceError(`WGSL module of ${s.entry} rejected: ${e.message}`);
    const compute = { module, entryPoint: s.entry };
    return this.device
      .createComputePipelineAsync({ label: s.entry, layout: layout.pipeline, compute })
      .catch((e: Error) => {
        throw new DeviceError(`cannot create the pipeline of kernel ${s.entry}: ${e.message}`);
      });
  }

  /** Give back everything taken: objects no program uses any more leave the cache. */
  release(): void {
    for (const [e, [map, key]] of this.taken) {
      if (--e.users === 0 && map.get(key) === e) map.delete(key);
    }
    this.taken.clear();
  }
}
