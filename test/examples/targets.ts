// Which targets the example tests run on: always TypeScript; WGSL only when compile() really
// produces a WGSL executable here (a WebGPU adapter and a finished backend), else a loud skip.
import { test } from 'vitest';
import type { ExampleTarget } from '../../examples/common/cli.ts';
import { compile, Graph } from '../../src/index.ts';

/** Why WGSL cannot run here, or undefined when it can. */
async function wgslUnavailable(): Promise<string | undefined> {
  const g = new Graph('wgsl_probe');
  g.output('y', g.input('x', [4]).mul(2));
  try {
    const exe = await compile(g, { target: 'wgsl' });
    const target = exe.target;
    exe.dispose();
    if (target !== 'wgsl') return `compile(g, { target: 'wgsl' }) returns a ${target} executable`;
    return undefined;
  } catch (e) {
    return `compile(g, { target: 'wgsl' }) failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export const WGSL_SKIP = await wgslUnavailable();

/** One test per target; on WGSL without a working backend, a skipped test that says why. */
export function testOnTargets(name: string, fn: (target: ExampleTarget) => Promise<void>): void {
  test(`${name} [ts]`, () => fn('ts'));
  if (WGSL_SKIP === undefined) {
    test(`${name} [wgsl]`, () => fn('wgsl'));
    return;
  }
  console.warn(`SKIPPED on WGSL: ${name} (${WGSL_SKIP})`);
  test.skip(`${name} [wgsl] SKIPPED: ${WGSL_SKIP}`, () => {});
}
