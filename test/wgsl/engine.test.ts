// The WebGPU engine (src/runtime/wgsl-host.ts) as a module of its own: shader assembly from kernel
// data, sharing of pipelines/layouts/bind groups, stats, dispose, and error lines that map back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineSourceModule, engineText, ENGINE_PATHS } from '../../codegen/wgsl/engine-build.ts';
import { SOURCE_PATH } from '../../codegen/wgsl/engine-build.ts';
import { ENGINE_SOURCE } from '../../codegen/wgsl/engine-source.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { DeviceError, shaderCode, sharedObjects } from '../../src/runtime/wgsl-device.ts';
import type { ShaderData } from '../../src/runtime/wgsl-device.ts';
import { createProgram } from '../../src/runtime/wgsl-host.ts';
import type { ProgramData } from '../../src/runtime/wgsl-host.ts';

const SCALE: ShaderData = {
  entry: 'scale',
  bindings: [
    ['src', 'f32'],
    ['dst', 'f32'],
  ],
  uses: ['twice'],
  body: [
    '@compute @workgroup_size(4)',
    'fn scale(@builtin(local_invocation_index) lid: u32) {',
    '  dst[lid] = twice(src[lid]);',
    '}',
  ].join('\n'),
  line: 7,
};
const COMMON = { twice: 'fn twice(v: f32) -> f32 {\n  return v * 2f;\n}' };

interface Io {
  readonly x: Float32Array;
}
/** x (4) → a = 2x → b = 2a, and c = 2x again: three dispatches of one shader. */
function program(shader: ShaderData = SCALE): ProgramData<Io, Io, { b: Float32Array }> {
  return {
    label: 'engine test',
    arenas: [['f32', 256]],
    inputs: { x: [0, 0, 4, 'f32'] },
    params: { x: [0, 192, 4, 'f32'] },
    outputs: { b: [0, 128, 4, 'f32'] },
    consts: [],
    common: COMMON,
    shaders: [shader],
    dispatches: [
      {
        shader: 0,
        groups: [1, 1, 1],
        ranges: [
          [0, 0, 4],
          [0, 64, 4],
        ],
      },
      {
        shader: 0,
        groups: [1, 1, 1],
        ranges: [
          [0, 64, 4],
          [0, 128, 4],
        ],
      },
      {
        shader: 0,
        groups: [1, 1, 1],
        ranges: [
          [0, 0, 4],
          [0, 64, 4],
        ],
      },
    ],
    requiredLimits: {},
  };
}

describe('WGSL engine module', () => {
  it('the embedded text is the module (regenerate: npx tsx codegen/wgsl/engine-build.ts)', async () => {
    const [device, host] = ENGINE_PATHS.map((p) => readFileSync(p, 'utf8'));
    expect(ENGINE_SOURCE).toBe(engineText());
    expect(readFileSync(SOURCE_PATH, 'utf8')).toBe(await engineSourceModule(engineText()));
    // The device part is self-contained; the host part imports only it, and that import goes.
    expect(device).not.toMatch(/^import /m);
    expect(host!.match(/^import .*$/gm)).toEqual([
      "import { DeviceError, scoped, SharedObjects } from './wgsl-device.ts';",
      "import type { Created, ShaderData } from './wgsl-device.ts';",
    ]);
    expect(ENGINE_SOURCE).not.toMatch(/^import /m);
    expect(ENGINE_SOURCE).toContain(device!);
  });

  it('assembles a shader module from kernel data: bindings from 0, uses, body', () => {
    expect(shaderCode(SCALE, COMMON).split('\n')).toEqual([
      '@group(0) @binding(0) var<storage, read_write> src: array<f32>;',
      '',
      '@group(0) @binding(1) var<storage, read_write> dst: array<f32>;',
      '',
      'fn twice(v: f32) -> f32 {',
      '  return v * 2f;',
      '}',
      '',
      ...SCALE.body.split('\n'),
      '',
    ]);
  });
});

const adapter = await hasAdapter();
(adapter ? describe : describe.skip)('WGSL engine on a device', () => {
  it('shares one pipeline, one layout and identical bind groups; dispose releases', async () => {
    const device = await getDevice();
    const x = Float32Array.of(1, 2, 3, -4);
    const p = await createProgram(device, program(), { x: Float32Array.of(9, 9, 9, 9) });
    expect((await p.run({ x })).b).toEqual(Float32Array.of(4, 8, 12, -16));
    expect((await p.readParams()).x).toEqual(Float32Array.of(9, 9, 9, 9));
    const { liveBuffers, ...counts } = p.stats;
    // With dynamic offsets the three dispatches share one bind group (same arena, same sizes).
    const bindGroups = device.limits.maxDynamicStorageBuffersPerPipelineLayout >= 2 ? 1 : 2;
    expect(bindGroups).toBe(1); // the device is opened with the adapter's limits
    expect(counts).toEqual({
      ...{ dispatches: 3, shaderModules: 1, pipelines: 1, bindGroupLayouts: 1, bindGroups },
      buffers: 3, // one arena, two staging buffers
      created: { shaderModules: 1, pipelines: 1, bindGroupLayouts: 1 },
    });
    expect(liveBuffers).toBe(3);
    p.dispose();
    expect(p.stats.liveBuffers).toBe(0);
    await expect(p.run({ x })).rejects.toThrow(/was disposed/);
  });

  it('programs on one device share pipelines and layouts; the last dispose releases them', async () => {
    const device = await getDevice();
    const before = sharedObjects(device);
    const x = Float32Array.of(1, 2, 3, -4);
    const a = await createProgram(device, program(), { x: new Float32Array(4) });
    const b = await createProgram(device, program(), { x: new Float32Array(4) });
    expect(a.stats.created).toEqual({ shaderModules: 1, pipelines: 1, bindGroupLayouts: 1 });
    expect(b.stats.created).toEqual({ shaderModules: 0, pipelines: 0, bindGroupLayouts: 0 });
    expect(b.stats.pipelines).toBe(1);
    const held = { layouts: before.layouts + 1, pipelines: before.pipelines + 1 };
    expect(sharedObjects(device)).toEqual(held);
    a.dispose();
    expect(sharedObjects(device)).toEqual(held); // b still uses them
    expect((await b.run({ x })).b).toEqual(Float32Array.of(4, 8, 12, -16));
    b.dispose();
    expect(sharedObjects(device)).toEqual(before);
    // A failed build takes nothing: its layout and pipeline leave the cache with it.
    const body = SCALE.body.replace('twice(', 'thrice(');
    await expect(createProgram(device, program({ ...SCALE, body }), { x })).rejects.toThrow();
    expect(sharedObjects(device)).toEqual(before);
  });

  it('a WGSL error names the kernel and gives the line of the .wgsl file', async () => {
    const device = await getDevice();
    const body = SCALE.body.replace('twice(', 'thrice(');
    const data = program({ ...SCALE, body });
    const err = await createProgram(device, data, { x: new Float32Array(4) }).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceError);
    // The body starts at line 7 of the program's .wgsl; the call is its third line.
    expect((err as Error).message).toMatch(/kernel scale at line 9:\d+ of engine test: .*thrice/);
    expect((err as Error).message).toMatch(/\n {2}dst\[lid\] = thrice\(src\[lid\]\);/);
  });
});
