// WebGPU setup for in-process execution: one adapter and one device per process, created on first
// use with the adapter's best compute limits. In Node it loads Dawn (the `webgpu` package).

export const NO_ADAPTER =
  'no WebGPU adapter: run scripts/setup-webgpu.sh as root (installs the lavapipe CPU driver), ' +
  'or use a machine with a GPU';

export class NoAdapterError extends Error {
  override readonly name = 'NoAdapterError';
}

/** Limits a compute program may need, requested at the adapter's maximum. */
const COMPUTE_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxBindingsPerBindGroup',
  // Bind groups are shared across dispatches, which then give their offsets at dispatch time.
  'maxDynamicStorageBuffersPerPipelineLayout',
] as const;

// Module-level on purpose: Dawn crashes (futex errors) if the GPU object is collected while a
// device is alive, so it stays referenced for the whole process.
let gpu: GPU | undefined;
/** A variable specifier: bundlers leave Dawn (a native Node addon) out of browser bundles. */
const WEBGPU = 'webgpu';
let device: Promise<GPUDevice> | undefined;

async function loadGpu(): Promise<GPU> {
  if (gpu) return gpu;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return (gpu = nav.gpu);
  let webgpu: { create: (opts: string[]) => GPU; globals: object };
  try {
    webgpu = (await import(/* @vite-ignore */ WEBGPU)) as unknown as typeof webgpu;
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    throw new NoAdapterError(
      missing
        ? "the WGSL target in Node needs the optional peer dependency 'webgpu' (Dawn): npm install webgpu"
        : `cannot load the 'webgpu' package: ${(e as Error).message}; ${NO_ADAPTER}`,
    );
  }
  Object.assign(globalThis, webgpu.globals);
  return (gpu = webgpu.create([]));
}

// Held for the life of the process too: nothing a device may still use is left to the collector.
let adapterRef: GPUAdapter | undefined;

async function openDevice(): Promise<GPUDevice> {
  const adapter = await (await loadGpu()).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(NO_ADAPTER);
  adapterRef = adapter;
  const have = adapter.limits as unknown as Record<string, number>;
  const requiredLimits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) if (have[k] !== undefined) requiredLimits[k] = have[k];
  const dev = await adapter.requestDevice({ requiredLimits });
  current = dev;
  void dev.lost.then(() => {
    // After a loss, the next getDevice() opens a fresh device.
    if (current === dev) [device, current] = [undefined, undefined];
  });
  return dev;
}

let current: GPUDevice | undefined;

/** The process-wide device (created once). Rejects with NoAdapterError when there is no adapter. */
export function getDevice(): Promise<GPUDevice> {
  device ??= openDevice();
  return device;
}

/** Whether a WebGPU adapter is available (for tests that skip without one). */
export async function hasAdapter(): Promise<boolean> {
  try {
    await getDevice();
    return true;
  } catch (e) {
    if (e instanceof NoAdapterError) return false;
    throw e;
  }
}
