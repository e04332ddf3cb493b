// Shared kernel bodies (codegen/wasm/share.ts): kernels that differ only in where their buffers are
// call one body, so the wasm module of a graph of many repeated small kernels grows by a few bytes
// per kernel, not by a body each (issue #12's W4: a 100k-node graph's module was 61 MB of mostly
// copies). Reusing a body by the kernel's key is transparent (the same bytes as rendering every
// kernel), and shared bodies compute what the TS kernels and the interpreter compute.
import { describe, expect, it } from 'vitest';
import { scaleGraph } from '../../bench/scale-graphs.ts';
import { renderWasm } from '../../codegen/wasm/module.ts';
import type { WasmSelect } from '../../codegen/wasm/module.ts';
import { compile } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { toProgram } from '../../src/pipeline.ts';
import { fuzzGraph } from '../../src/testing/fuzz.ts';
import { reluAdamStep, seedMlpStep } from '../codegen/models.ts';

/** Entries in section `id` of a wasm module (3: defined functions, 7: exports). */
function sectionCount(bytes: Uint8Array, id: number): number {
  const read = (at: number): [number, number] => {
    let [n, shift] = [0, 1];
    for (;;) {
      const b = bytes[at++]!;
      n += (b & 0x7f) * shift;
      shift *= 128;
      if (b < 0x80) return [n, at];
    }
  };
  for (let at = 8; at < bytes.length;) {
    const sid = bytes[at]!;
    const [size, body] = read(at + 1);
    if (sid === id) return read(body)[0];
    at = body + size;
  }
  return 0;
}

function wasmOf(g: Graph, select: WasmSelect = 'auto', reuse = true) {
  const m = renderWasm(toProgram(g), select, (k) => k, 1, reuse);
  if (!m) throw new Error('no wasm kernels');
  const functions = sectionCount(m.bytes, 3);
  return { bytes: m.bytes, kernels: m.kernels.size, bodies: functions - m.kernels.size };
}

describe('shared wasm kernel bodies', () => {
  it('a module of many repeated small kernels grows by a few bytes per kernel, its bodies fixed', () => {
    const [small, big] = [400, 1600].map((n) => wasmOf(scaleGraph('mixed', n)));
    expect(big!.kernels).toBeGreaterThan(3.5 * small!.kernels);
    // Every kernel is an exported function setting its buffers' addresses and calling its bodies
    // (~60 bytes with its export); the bodies are the same few whatever the graph's length (one
    // or two more for the sums over all blocks, whose fan-in grows until fusion bounds it).
    expect(big!.bodies).toBeLessThanOrEqual(small!.bodies + 4);
    expect(big!.bodies).toBeLessThan(big!.kernels / 20);
    const perKernel = (big!.bytes.length - small!.bytes.length) / (big!.kernels - small!.kernels);
    expect(perKernel).toBeLessThan(80);
    expect(big!.bytes.length / big!.kernels).toBeLessThan(100);
  });

  it('reusing a body by key gives the bytes of rendering every kernel', () => {
    const graphs: [Graph, WasmSelect][] = [
      [scaleGraph('mixed', 300), 'auto'],
      [scaleGraph('branches', 40), 'all'],
      [seedMlpStep().g, 'all'],
      [reluAdamStep(8, [16, 12, 5]).g, 'all'],
    ];
    for (let seed = 1; seed <= 16; seed++)
      graphs.push([fuzzGraph({ seed, nodes: 24 }).graph, 'all']);
    let shared = 0;
    for (const [g, select] of graphs) {
      const p = toProgram(g);
      const keyed = renderWasm(p, select, (k) => k, 1, true);
      const each = renderWasm(p, select, (k) => k, 1, false);
      expect(keyed?.bytes, g.name).toEqual(each?.bytes);
      if (keyed) shared += keyed.kernels.size - (sectionCount(keyed.bytes, 3) - keyed.kernels.size);
    }
    expect(shared).toBeGreaterThan(0);
  });

  it('shared bodies compute what the TS kernels and the interpreter compute', async () => {
    const g = scaleGraph('mixed', 160);
    const m = wasmOf(g);
    expect(m.bodies).toBeLessThan(m.kernels / 2); // bodies are shared here
    const feeds = { x: Float32Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i) * 0.5) };
    const run = async (target: 'ts' | 'interp', wasm: 'auto' | 'off' = 'auto') => {
      const exe = await compile(g, { target, wasm, seed: 5 });
      const out = await exe.run(feeds);
      exe.dispose();
      return out;
    };
    const [wasm, ts, ref] = [await run('ts'), await run('ts', 'off'), await run('interp')];
    expect(Object.keys(wasm).sort()).toEqual(Object.keys(ref).sort());
    for (const [name, want] of Object.entries(ref)) {
      const tol = 1e-4 * Math.max(1, ...Array.from(want, Math.abs));
      for (const got of [wasm[name]!, ts[name]!])
        got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${name}[${i}]`).toBeLessThan(tol));
    }
  });
});
