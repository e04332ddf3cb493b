// The host plan of a WGSL program: where every input, param, output and constant lives in the
// arenas, the dispatches and shaders in step order, and the device limits above the defaults that
// the program needs. Built once by codegen/wgsl/module.ts; written out by host.ts, or handed to the
// engine directly by data.ts.
import type { ShaderData } from '../../src/runtime/wgsl-device.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import type { Layout, WgslLimits } from './layout.ts';
import { DEFAULT_LIMITS } from './layout.ts';
import type { DispatchPlan, HostPlan } from './module.ts';

export function hostPlan(
  p: Program,
  layout: Layout,
  dispatches: DispatchPlan[],
  shaders: readonly ShaderData[],
  common: Readonly<Record<string, string>>,
): HostPlan {
  const tensor = (name: string, buf: string, dtype: string, shape: readonly number[]) => ({
    name,
    region: layout.regions.get(buf)!,
    dtype,
    shape,
  });
  const role = (r: string) =>
    p.buffers.filter((b) => b.role === r).map((b) => tensor(b.name, b.name, b.dtype, b.shape));
  const required: Record<string, number> = {};
  const need = (key: keyof WgslLimits, value: number) => {
    if (value > DEFAULT_LIMITS[key]) required[key] = Math.max(required[key] ?? 0, value);
  };
  for (const d of dispatches) {
    need('maxStorageBuffersPerShaderStage', d.bindings.length);
    for (const b of d.bindings) need('maxStorageBufferBindingSize', b.size * 4);
  }
  for (const a of layout.arenas) need('maxBufferSize', a.size * 4);
  return {
    arenas: layout.arenas,
    dispatches,
    shaders,
    common,
    inputs: role('input'),
    params: role('param'),
    outputs: p.outputs.map((o) => tensor(o.name, o.buf, o.dtype, o.shape)),
    consts: p.buffers
      .filter((b) => b.role === 'const')
      .map((b) => ({ region: layout.regions.get(b.name)!, values: b.values ?? [] })),
    requiredLimits: required,
  };
}
