// Probe WebGPU in Node (npm `webgpu` = Dawn's dawn.node): print the adapter, its limits, and
// run a tiny compute shader as a smoke test.
//
//   npx tsx scripts/probe-webgpu.ts           full report, exit 0
//   npx tsx scripts/probe-webgpu.ts --short   one line, exit 0
//   no adapter -> message on stderr, exit 1
//
// See scripts/WEBGPU-NOTES.md.

const NO_ADAPTER =
  'no WebGPU adapter: run scripts/setup-webgpu.sh (needs root) or use a machine with a GPU';

const short = process.argv.includes('--short');

/** Limits a compute compiler cares about; requested at their adapter maximum. */
const COMPUTE_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
  'maxUniformBufferBindingSize',
  'maxUniformBuffersPerShaderStage',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;

function fail(msg: string): never {
  console.error(msg);
  process.exit(1);
}

function allLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // Limits are prototype getters, so Object.keys() is empty; for..in sees them.
  for (const k in limits) {
    const v = (limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

async function main(): Promise<void> {
  let webgpu: { create: (opts: string[]) => GPU; globals: object };
  try {
    webgpu = (await import('webgpu')) as typeof webgpu;
  } catch (e) {
    fail(`cannot load the 'webgpu' package (dawn.node): ${(e as Error).message}\n${NO_ADAPTER}`);
  }
  Object.assign(globalThis, webgpu.globals);
  // Keep `gpu` reachable for the whole process: if it is garbage-collected while devices are
  // alive, Dawn crashes (futex errors).
  const gpu = webgpu.create([]);
  (globalThis as Record<string, unknown>).__gradcGpu = gpu;

  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) fail(NO_ADAPTER);

  const info = adapter.info;
  const adapterLimits = allLimits(adapter.limits);

  // An adapter can create only one device ("adapter is consumed"), and requestDevice() without
  // requiredLimits gives the spec defaults (e.g. 8 storage buffers, 256 invocations, 16 KiB
  // workgroup memory), not the adapter's limits: request them explicitly.
  const requiredLimits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) {
    if (adapterLimits[k] !== undefined) requiredLimits[k] = adapterLimits[k];
  }
  const device = await adapter.requestDevice({ requiredLimits });

  // Smoke test: out[i] = i * 2 over 64 elements.
  const n = 64;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({
    code: /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  out[gid.x] = f32(gid.x) * 2.0;
}`,
  });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const storage = device.createBuffer({
    size: n * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const readback = device.createBuffer({
    size: n * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: storage } }],
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(storage, 0, readback, 0, n * 4);
  device.queue.submit([enc.finish()]);
  const err = await device.popErrorScope();
  if (err) fail(`WebGPU validation error in smoke test: ${err.message}`);
  await readback.mapAsync(GPUMapMode.READ);
  const got = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  const smokeOk = got.every((v, i) => v === i * 2);

  const desc = `${info.vendor} ${info.architecture} ${info.device} (${info.description})`.trim();
  if (short) {
    console.log(
      `webgpu: ${desc}; fallback=${info.isFallbackAdapter}; smoke test ${smokeOk ? 'ok' : 'FAILED'}`,
    );
  } else {
    console.log('WebGPU adapter:');
    console.log(`  vendor:        ${info.vendor}`);
    console.log(`  architecture:  ${info.architecture}`);
    console.log(`  device:        ${info.device}`);
    console.log(`  description:   ${info.description}`);
    console.log(`  fallback(CPU): ${info.isFallbackAdapter}`);
    console.log(`  features:      ${[...adapter.features].sort().join(', ')}`);
    console.log('adapter limits (device limits after requesting them via requiredLimits):');
    const width = Math.max(...Object.keys(adapterLimits).map((k) => k.length));
    for (const [k, v] of Object.entries(adapterLimits)) {
      const dv = (device.limits as unknown as Record<string, number>)[k];
      console.log(`  ${k.padEnd(width)}  ${v}${dv !== v ? `  (device: ${dv})` : ''}`);
    }
    console.log(`smoke test (compute + readback): ${smokeOk ? 'ok' : 'FAILED'}`);
  }

  // dawn.node does not keep the event loop alive once work is done, but destroy the device
  // and exit explicitly so the process never lingers on Dawn's threads.
  device.destroy();
  process.exit(smokeOk ? 0 : 1);
}

main().catch((e: unknown) => fail(`WebGPU probe failed: ${(e as Error)?.stack ?? String(e)}`));
