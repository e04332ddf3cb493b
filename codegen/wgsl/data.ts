// The host plan as the engine's ProgramData object: what a generated host's PROGRAM literal spells
// out (codegen/wgsl/host.ts), built directly for in-process runs. compile(g, { target: 'wgsl' })
// hands it to src/runtime/wgsl-host.ts's createProgram, so it needs no generated TypeScript to be
// imported: no type stripper, and it bundles for browsers.
import type { ProgramData, Region } from '../../src/runtime/wgsl-host.ts';
import type { HostPlan, TensorPlan } from './module.ts';

type Arrays = Record<string, Float32Array | Int32Array>;

const region = (r: TensorPlan['region']): Region => [r.arena, r.offset, r.size, r.dtype];
const table = (items: readonly TensorPlan[]): Record<string, Region> => {
  const out: Record<string, Region> = Object.create(null) as Record<string, Region>;
  for (const t of items) out[t.name] = region(t.region);
  return out;
};

export function programData(plan: HostPlan, label: string): ProgramData<Arrays, Arrays, Arrays> {
  return {
    label,
    arenas: plan.arenas.map((a) => [a.dtype, a.size] as const),
    inputs: table(plan.inputs),
    params: table(plan.params),
    outputs: table(plan.outputs),
    consts: plan.consts.map((c) => [region(c.region), c.values] as const),
    common: plan.common,
    shaders: plan.shaders,
    dispatches: plan.dispatches.map((d) => ({
      shader: d.shader,
      groups: d.groups,
      ranges: d.bindings.map((b) => [b.arena, b.offset, b.size] as const),
    })),
    requiredLimits: plan.requiredLimits,
    ...(plan.numerics ? { numerics: plan.numerics } : {}),
  };
}
