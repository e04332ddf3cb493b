// Silent wrong results in the files `gradc compile` writes, on both targets: every call checks its
// feed lengths (a short input is an error, not NaN in the params); with --check-numerics the
// kernels check what they write (WGSL: inside each kernel, into a status buffer read back with the
// outputs) and the module throws at the first non-finite value naming the buffer, the kernel, its
// ops and the user's line, in the same words on both targets. Without the flag, no check code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTs } from '../support/import-ts.ts';
import { main } from '../../src/cli/main.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { ROOT, tempDir } from '../cli/run.ts';

const adapter = await hasAdapter();
if (!adapter)
  console.warn('\n*** reliability/written-modules: WGSL runs SKIPPED (no WebGPU adapter) ***\n');

/** Line 4 of the model takes the log of x·w: a negative x gives NaN there. */
const MODEL = `import { Graph, init } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
const g = new Graph('guarded');
const x = g.input('x', [4]);
const w = g.param('w', [4], init.constant(1)); const h = x.mul(w).log().named('logh');
g.output('y', h.mul(2));
export default g;
`;

async function compileModel(target: 'ts' | 'wgsl', check: boolean): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(join(dir, 'model.ts'), MODEL);
  const args = ['compile', join(dir, 'model.ts'), '--target', target, '--out', join(dir, 'gen')];
  let err = '';
  const io = { out: () => {}, err: (s: string) => void (err += s), isTTY: false };
  const code = await main([...args, ...(check ? ['--check-numerics'] : []), '--no-typecheck'], io);
  expect(code, err).toBe(0);
  return join(dir, 'gen');
}

/** The message both targets' written modules throw for x = [1, 2, −3, 4]. */
const REPORT =
  /^non-finite value NaN in \w+\[2\] after kernel \w+ \(ops: mul, log(, \w+)*\) from .*model\.ts:4\b/;

type Arrays = Record<string, Float32Array>;
/** The one generated-module API (codegen/ts/api.ts, codegen/wgsl/api.ts). */
interface TsModule {
  create(params?: Arrays): { run(inputs: Arrays): Arrays };
}
interface WgslHost {
  create(device: GPUDevice, params?: Arrays): Promise<{ run(i: Arrays): Promise<Arrays> }>;
}
/** What both targets' written modules say about a short feed. */
const SHORT = "input 'x' needs 4 values (shape [4]), got 3";

const feeds = (...v: number[]) => ({ x: Float32Array.from(v) });
const params = { w: Float32Array.of(1, 1, 1, 1) };

describe('gradc compile --check-numerics', () => {
  it('TS: the written module checks feed lengths, and with the flag each kernel, naming kernel, ops and line', async () => {
    const file = join(await compileModel('ts', true), 'guarded.ts');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\s*checkFinite\(/m);
    const model = (await importTs<TsModule>(text)).create(params);
    expect(model.run(feeds(1, 2, 3, 4))['y']![2]).toBeCloseTo(2 * Math.log(3), 5);
    expect(() => model.run(feeds(1, 2, -3, 4))).toThrow(REPORT);
    const plain = readFileSync(join(await compileModel('ts', false), 'guarded.ts'), 'utf8');
    expect(plain).not.toContain('checkFinite');
    const unguarded = (await importTs<TsModule>(plain)).create(params);
    expect(() => unguarded.run(feeds(1, 2, 3))).toThrow(SHORT);
  });

  it('WGSL: the written host checks feed lengths; with the flag the shaders flag non-finite values and the host throws the same report', async () => {
    const dir = await compileModel('wgsl', true);
    const [wgsl, host] = ['guarded.wgsl', 'guarded.ts'].map((f) =>
      readFileSync(join(dir, f), 'utf8'),
    );
    // One check per checked buffer, inside the kernel that writes it: no extra dispatch.
    expect(wgsl!.match(/atomicMin\(&numerics\w*\[\d+\]/g)?.length).toBeGreaterThan(0);
    expect(host).toContain('numerics: {');
    const plainDir = await compileModel('wgsl', false);
    const plain = ['guarded.wgsl', 'guarded.ts'].map((f) =>
      readFileSync(join(plainDir, f), 'utf8'),
    );
    for (const text of plain) expect(text).not.toMatch(/is_nonfinite|atomicMin|numerics: \{/);
    if (!adapter) return;
    const model = await (await importTs<WgslHost>(host!)).create(await getDevice(), params);
    expect((await model.run(feeds(1, 2, 3, 4)))['y']![2]).toBeCloseTo(2 * Math.log(3), 5);
    await expect(model.run(feeds(1, 2, -3, 4))).rejects.toThrow(REPORT);
    // The status words are reset every call: a finite call after a failing one succeeds.
    expect((await model.run(feeds(1, 2, 3, 4)))['y']![0]).toBe(0);
    const unguarded = await (await importTs<WgslHost>(plain[1]!)).create(await getDevice());
    expect(() => unguarded.run(feeds(1, 2, 3))).toThrow(SHORT); // before any device work
  });
});
