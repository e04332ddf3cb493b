// The four ways a graph runs — the float64 interpreter, TS kernels, wasm SIMD on every kernel and
// WGSL — for tests that check one behaviour on each. Without a WebGPU adapter the WGSL case is
// skipped, and says so loudly: a skipped target did not pass.
import type { CompileOptions } from '../../src/compile.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';

export type TargetCase = CompileOptions & { name: string; skip?: boolean };

/** Every target; `who` names the test file in the warning printed when WGSL is skipped. */
export async function allTargets(who: string): Promise<TargetCase[]> {
  const adapter = await hasAdapter();
  if (!adapter) console.warn(`\n*** ${who}: WGSL cases SKIPPED (no WebGPU adapter) ***\n`);
  return [
    { name: 'interp', target: 'interp' },
    { name: 'ts', target: 'ts', wasm: 'off' },
    { name: 'wasm', target: 'ts', wasm: 'all' },
    { name: 'wgsl', target: 'wgsl', skip: !adapter },
  ];
}
