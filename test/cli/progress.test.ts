// The CLI on a terminal says what it is doing at once, and hides Dawn's own warnings (printed by
// native code) unless --verbose.
import { describe, expect, test } from 'vitest';
import { isDawnWarning, wantsFilter } from '../../src/cli/subprocess.ts';
import { main } from '../../src/cli/main.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { gradc } from './run.ts';

const DAWN =
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16';

const adapter = await hasAdapter();
if (!adapter) console.warn('\n*** Dawn warning filter e2e SKIPPED: no WebGPU adapter ***\n');

describe('progress and Dawn warnings', () => {
  test('train on a terminal prints its first line before the model loads', async () => {
    const t0 = performance.now();
    const lines: { at: number; text: string }[] = [];
    const io = {
      out: (text: string) => void lines.push({ at: performance.now() - t0, text }),
      err: (text: string) => void lines.push({ at: performance.now() - t0, text }),
      isTTY: true,
    };
    const code = await main(['train', 'examples/models/xor-mlp.ts', '--epochs', '1'], io);
    expect(code).toBe(0);
    expect(lines[0]!.text).toBe('loading examples/models/xor-mlp.ts\n');
    expect(lines[0]!.at).toBeLessThan(500);
    expect(lines.map((l) => l.text)).toContain("compiling 'xor_mlp' for ts\n");
  });

  test('only WGSL runs without --verbose are filtered, and only Dawn lines', () => {
    expect(wantsFilter(['train', 'm.ts', '--target', 'wgsl'], {})).toBe(true);
    expect(wantsFilter(['train', 'm.ts', '--target=wgsl'], {})).toBe(true);
    expect(wantsFilter(['train', 'm.ts', '--target', 'wgsl', '--verbose'], {})).toBe(false);
    expect(wantsFilter(['train', 'm.ts', '--target', 'ts'], {})).toBe(false);
    expect(wantsFilter(['train', 'm.ts', '--target', 'wgsl'], { GRADC_DAWN_FILTERED: '1' })).toBe(
      false,
    );
    expect(isDawnWarning(DAWN)).toBe(true);
    expect(isDawnWarning('gradc: no such model file')).toBe(false);
  });

  test.skipIf(!adapter)('gradc train --target wgsl: no Dawn warnings on stderr', async () => {
    const args = ['train', 'examples/models/xor-mlp.ts', '--target', 'wgsl', '--epochs', '1'];
    const r = await gradc(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained 'xor_mlp' on wgsl/);
    expect(r.stderr.split('\n').filter(isDawnWarning)).toEqual([]);
  });
});
