// In-process execution on WebGPU: emit for this device's limits, hand the host plan to the engine
// that every generated host embeds (src/runtime/wgsl-host.ts), and wrap it as an Executable whose
// params live on the device. No generated TypeScript is imported, so this also runs in browsers.
import type { Graph } from '../../src/ir/graph.ts';
import { feedConverter, inputsReaching } from '../../src/runtime/feeds.ts';
import { runOutputs } from '../../src/autodiff/forward-only.ts';
import type { Executable, Feeds, Outputs } from '../../src/runtime/executable.ts';
import { assignParams, createParams } from '../../src/runtime/params.ts';
import { getDevice } from '../../src/runtime/webgpu.ts';
import { emitWgsl, forwardOnly } from '../../src/pipeline.ts';
import { NonFiniteError } from '../../src/runtime/wgsl-host.ts';
import type { ProgramStats } from '../../src/runtime/wgsl-host.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import { commentText, sanitize } from '../names.ts';
import { programData } from './data.ts';
import type { WgslLimits } from './layout.ts';
import type { MatmulStrategy } from './matmul.ts';

type Arrays = Record<string, Float32Array | Int32Array>;

/** What a generated host's createModel returns (see codegen/wgsl/host.ts). */
interface HostModel {
  step?(inputs: Arrays): Promise<Arrays>;
  run?(inputs: Arrays): Promise<Arrays>;
  readParams(): Promise<Arrays>;
  writeParams(values: Arrays): void;
  readonly paramBindings: Record<string, GPUBufferBinding>;
  readonly stats: ProgramStats;
  dispose(): void;
}

/** compile(g, { target: 'wgsl' })'s executable, with what it created on the device. */
export interface WgslExecutable extends Executable {
  /** The step/run program's device objects, and the forward program's once run() built it. */
  readonly stats: { readonly main: ProgramStats; readonly forward: ProgramStats | null };
  /** The step/run program's kernels and memory plan (for compile()'s report). */
  readonly program: Program['stats'];
}

export class StaleParamsError extends Error {
  override readonly name = 'StaleParamsError';
}

export function limitsOf(device: GPUDevice): WgslLimits {
  const l = device.limits;
  return {
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxBindingsPerBindGroup: l.maxBindingsPerBindGroup,
  };
}

/** CPU adapters (lavapipe, SwiftShader) run lane-tiled matmuls fastest; GPUs workgroup tiles. */
function matmulStrategy(device: GPUDevice): MatmulStrategy {
  const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return info?.architecture === 'software' || info?.isFallbackAdapter ? 'lane' : 'workgroup';
}

/** How compileWgsl emits: matmul tiling, and the numerics guard's checks inside the kernels. */
export interface WgslCompileOptions {
  readonly matmul?: MatmulStrategy;
  readonly checkNumerics?: boolean;
}

async function loadModel(
  g: Graph,
  device: GPUDevice,
  params: Arrays,
  opts: WgslCompileOptions,
): Promise<HostModel & { readonly program: Program['stats'] }> {
  const matmul = opts.matmul ?? matmulStrategy(device);
  const { plan, program, entry } = await emitWgsl(g, {
    ...{ limits: limitsOf(device), matmul, format: false },
    checkNumerics: opts.checkNumerics,
  });
  const { createProgram } = await import('../../src/runtime/wgsl-host.ts');
  // The label a generated host gives the program (messages name the graph and its .wgsl file).
  const label = `${commentText(g.name)} (${sanitize(g.name)}.wgsl)`;
  const p = await createProgram(device, programData(plan, label), params);
  const { readParams, writeParams, paramBindings, stats, dispose } = p;
  const model: HostModel = {
    [entry]: p.run,
    readParams,
    writeParams,
    paramBindings,
    stats,
    dispose,
  };
  return Object.assign(model, { program: program.stats });
}

/** The host's outputs, each already in its dtype's array (i32 and bool: Int32Array). */
const toF32 = (r: Arrays): Outputs => r;

/** Device-to-device copy of every param both models hold. */
function copyParams(device: GPUDevice, from: HostModel, to: HostModel): void {
  const enc = device.createCommandEncoder({ label: 'copy params' });
  for (const [name, src] of Object.entries(from.paramBindings)) {
    const dst = to.paramBindings[name];
    if (!dst) continue;
    enc.copyBufferToBuffer(src.buffer, src.offset ?? 0, dst.buffer, dst.offset ?? 0, src.size!);
  }
  device.queue.submit([enc.finish()]);
}

/**
 * The numerics guard's error with every param before the call: the device's copy of those the
 * program holds, the host's (never changed on the device) for the rest.
 */
function withHostParams(e: unknown, host: Arrays): unknown {
  // By name: the error comes from the engine copy embedded in the generated host.
  if (!(e instanceof Error && e.name === 'NumericsError' && 'paramsBefore' in e)) return e;
  const kept = e.paramsBefore as Arrays;
  const all = Object.assign(Object.create(null) as Arrays, host, kept); // user names as keys
  return new NonFiniteError(e.message, all);
}

/**
 * compile(g, { target: 'wgsl' }). Params live on the device: after step() the host copies are
 * stale until `await exe.syncParams()`; reading `params` before that throws StaleParamsError.
 */
export async function compileWgsl(
  g: Graph,
  seed = 0,
  opts: WgslCompileOptions = {},
): Promise<WgslExecutable> {
  const device = await getDevice();
  const params = createParams(g, seed);
  const feeds = feedConverter(g, new Set(g.inputs.keys()));
  const forwardFeeds = feedConverter(g, inputsReaching(g, [...runOutputs(g).values()]));
  const main = await loadModel(g, device, params, opts);
  let forward: HostModel | null = null;
  let stale = false; // host copies behind the device
  let forwardStale = false; // forward model's params behind the main model's
  const syncForward = async (): Promise<HostModel> => {
    forward ??= await loadModel(forwardOnly(g), device, params, opts);
    if (forwardStale) copyParams(device, main, forward);
    forwardStale = false;
    return forward;
  };
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn);
    busy = run.catch(() => {});
    return run;
  };
  return {
    graph: g,
    target: 'wgsl',
    get stats() {
      return { main: main.stats, forward: forward?.stats ?? null };
    },
    program: main.program,
    get params() {
      if (stale) {
        throw new StaleParamsError(
          'params changed on the device: await exe.syncParams() before reading exe.params',
        );
      }
      return params;
    },
    // Calls run one at a time: the converted feeds live in one reused buffer per input, so a
    // second call converting before the first has uploaded would train both on its batch.
    run: (inputs) =>
      serial(async () => {
        const call = main.run
          ? main.run(feeds(inputs))
          : (await syncForward()).run!(forwardFeeds(inputs));
        return toF32(await call.catch((e: unknown) => Promise.reject(withHostParams(e, params))));
      }),
    step: (inputs) =>
      serial(async () => {
        if (main.step) [stale, forwardStale] = [true, true]; // even when the step throws midway
        const out = await (main.step ?? main.run!)(feeds(inputs)).catch((e: unknown) => {
          throw withHostParams(e, params);
        });
        return toF32(out);
      }),
    syncParams: () =>
      serial(async () => {
        if (!stale) return;
        const values = await main.readParams();
        for (const [k, v] of Object.entries(values)) params[k]!.set(v);
        stale = false;
      }),
    setParams(values) {
      assignParams(g, params, values);
      const subset = Object.fromEntries(Object.keys(values).map((k) => [k, params[k]!]));
      main.writeParams(subset);
      forward?.writeParams(subset);
    },
    dispose() {
      main.dispose();
      forward?.dispose();
    },
  };
}
