// WebGPU in Node via Dawn (`webgpu` package): installs the globals and `navigator.gpu` once, keeps
// the GPU object alive for the whole process (Dawn crashes if it is collected), probes an adapter.
import { availableParallelism } from 'node:os';
import { create, globals } from 'webgpu';

let gpu: GPU | undefined; // module-level on purpose: must outlive every device
let probe: Promise<string | undefined> | undefined;

function install(): GPU {
  if (gpu) return gpu;
  Object.assign(globalThis, globals);
  gpu = create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) {
    // Node 20 has no navigator; libraries read .gpu, .userAgent and .hardwareConcurrency.
    const value = {
      gpu,
      userAgent: `Node.js/${process.version}`,
      hardwareConcurrency: availableParallelism(),
    };
    Object.defineProperty(globalThis, 'navigator', { value, configurable: true });
  } else if (!('gpu' in nav)) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  }
  return gpu;
}

/** Resolves to undefined when an adapter exists, else the reason WebGPU peers are unavailable. */
export function ensureWebGPU(): Promise<string | undefined> {
  probe ??= (async () => {
    try {
      const adapter = await install().requestAdapter({ powerPreference: 'high-performance' });
      return adapter ? undefined : 'unavailable: no adapter';
    } catch (e) {
      return `unavailable: ${e instanceof Error ? e.message : String(e)}`;
    }
  })();
  return probe;
}

/** Short adapter description (vendor/architecture/device), once ensureWebGPU() succeeded. */
export async function adapterDescription(): Promise<string> {
  const adapter = await install().requestAdapter();
  if (!adapter) return 'no adapter';
  const i = adapter.info;
  return (
    [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' ') || 'unknown'
  );
}
