// Injection, fuzzed: seeded random names drawn from every Unicode category, every line terminator
// and comment token of TypeScript and WGSL, quotes, template tokens, reserved words and
// Object.prototype keys — as graph, input, param, output and node names. Every generated module
// typechecks (TS, strict) or compiles on the device (WGSL), and computes what the interpreter does.
// Names spelled like the renderers' own locals (i, p, acc, t1, x0, c00, lid…) keep their spelling.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import * as B from '../../src/builder/ops.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32, values } from '../../src/ir/init.ts';
import type { Executable } from '../../src/runtime/executable.ts';
import { getDevice, hasAdapter } from '../../src/runtime/webgpu.ts';
import { emitFiles, emitTs } from '../../src/pipeline.ts';
import { typecheckModules } from '../codegen/typecheck.ts';

const adapter = await hasAdapter();
if (!adapter)
  console.warn('\n*** reliability/name-fuzz: WGSL cases SKIPPED (no WebGPU adapter) ***\n');

/** Pieces names are made of: one of each kind of trouble, plus ordinary text. */
const PIECES = [
  ...'abcXYZ_$019',
  ...['\n', '\r', '\r\n', '\u000B', '\u000C', '\u0085', '\u2028', '\u2029'], // line breaks
  ...['//', '/*', '*/', '/**', '#', '<!--', '-->'], // comment tokens
  ...['"', "'", '`', '${', '\\', '\\u0041', '{', '}', ';', '(', ')', '[', ']', ',', '.'],
  ...['\u0000', '\u0007', '\u001B', '\u007F', '\u0080', '\u009F'], // controls (Cc)
  ...['\u200B', '\u200D', '\u200E', '\u202E', '\u2066', '\uFEFF', '\u00AD'], // format (Cf)
  ...['\u00A0', '\u2003', '\u3000', ' ', '\t'], // spaces (Zs)
  ...['é', 'e\u0301', 'ß', 'İ', 'ﬁ', 'Ω', 'ℌ', '①', '²', 'Ⅻ'], // letters, marks, numbers
  ...['中文', 'עברית', 'العربية', '😀', '👩‍💻', '\uD800', '\uDFFF', '\uE000', '\uFFFF'],
  ...['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty', 'NaN'],
  ...['fn', 'return', 'let', 'var', 'const', 'function', 'await', 'f32', 'array', 'workgroup'],
];

const PROTO = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

function nameGen(seed: number) {
  const rand = mulberry32(seed);
  return (): string => {
    const n = 1 + Math.floor(rand() * 5);
    let s = '';
    for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)]!;
    return s;
  };
}

/** A small training graph whose every name is fuzzed (leaf names distinct, as required). */
function fuzzGraph(seed: number) {
  const next = nameGen(seed);
  const leaves = new Set<string>();
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const leaf = () => {
    // A quarter of the leaves are bare Object.prototype keys (rare as random pieces alone).
    const proto = PROTO[Math.floor(rand() * PROTO.length)]!;
    let s = rand() < 0.25 && !leaves.has(proto) ? proto : next();
    while (leaves.has(s)) s += next();
    leaves.add(s);
    return s;
  };
  const [na, nb, nw] = [leaf(), leaf(), leaf()];
  const [o1, o2] = [next(), `${next()}\u0001`]; // distinct output names
  const g = new Graph(next());
  const a = g.input(na, [2, 3]);
  const b = g.input(nb, [3]);
  const w = g.param(nw, [3], values([0.5, -1, 2]));
  const h = B.tanh(B.add(B.mul(a, w), b)).named(next());
  g.output(o1, h);
  g.output(o2, B.sum(B.mul(h, h)).named(next()));
  g.update(nw, B.sub(w, B.mul(B.sum(a, [0]), 0.1)).named(next()));
  const feeds = Object.fromEntries([
    [na, [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]],
    [nb, [1, 0, -1]],
  ]);
  return { g, feeds, names: [g.name, na, nb, nw, o1, o2] };
}

async function agree(exe: Executable, ref: Executable, feeds: Record<string, number[]>) {
  const [got, want] = [await exe.step(feeds), await ref.step(feeds)];
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) {
    expect(Object.hasOwn(got, k), JSON.stringify(k)).toBe(true);
    [...v].forEach((x, i) => expect(got[k]![i]!, JSON.stringify(k)).toBeCloseTo(x, 5));
  }
  await exe.syncParams?.();
  for (const [k, v] of Object.entries(ref.params))
    [...v].forEach((x, i) => expect(exe.params[k]![i]!, JSON.stringify(k)).toBeCloseTo(x, 6));
}

describe('name fuzzer', () => {
  it('TS: 20 graphs (120 fuzzed names + 60 node labels) typecheck and match the interpreter', async () => {
    const modules: Record<string, string> = {};
    for (let k = 0; k < 20; k++) {
      const { g, feeds } = fuzzGraph(1000 + k);
      modules[`m${k}`] = (await emitTs(g, { format: false })).source;
      await agree(
        await compile(g, { target: 'ts' }),
        await compile(g, { target: 'interp' }),
        feeds,
      );
    }
    expect(typecheckModules(modules)).toEqual([]);
  });

  it.skipIf(!adapter)(
    'WGSL: 6 graphs: written files are one valid module with user text inside comments; in-process modules validate and match',
    async () => {
      const device = await getDevice();
      for (let k = 0; k < 6; k++) {
        const { g, feeds } = fuzzGraph(5000 + k);
        // The .wgsl file as written (with its comments) is one module: no errors. And no user
        // text starts a line of its own: WGSL's full set of line breaks splits it where LF does.
        const { files } = await emitFiles(g, { target: 'wgsl' });
        const code = files.find((f) => f.path.endsWith('.wgsl'))!.text;
        const info = await device.createShaderModule({ code }).getCompilationInfo();
        expect(info.messages.filter((m) => m.type === 'error').map((m) => m.message)).toEqual([]);
        expect(code.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/).length).toBe(
          code.split('\n').length,
        );
        const exe = await compile(g, { target: 'wgsl' });
        await agree(exe, await compile(g, { target: 'interp' }), feeds);
        exe.dispose();
      }
    },
  );
});

/** Spelled like a local of some kernel renderer (TS loops, registers, temps; WGSL entry points)
 * or a module-level name of the generated TS module. */
const LOCAL_LIKE = [
  ...['p', 'b', 't1', 'i', 'j', 'k', 'n', 'x0', 'acc', 'av', 'bRow', 'at', 'panel', 'q', 'r'],
  ...['s', 'c', 'c00', 'c33', 'ra0', 'cb1', 'i0', 'i1', 'o0', 'r0', 'r1', 'u0', 'u1', 't0', 'j0'],
  ...['gi', 'oi', 'ri', 'lid', 'wid', 'tid', 'flat', 'part', 'sums', 'tv', 'te', 'kk', 'row0'],
  ...['col0', 'tr', 'tc', 'gr', 'gc', 'xy', 'k0', 'av0', 'bv0', 'go', 'a', 'u', 'v'],
  // The generated module's own API and workspace names.
  ...['step', 'run', 'inputs', 'params', 'ws', 'shapes', 'memory', 'out', 'api', 'env', 'wasm'],
];

/** A training graph with every kernel kind (map, blocked and row matmuls, scan, reduce). */
function localsGraph(seed: number) {
  const rand = mulberry32(seed);
  const pool = [...LOCAL_LIKE];
  const pick = () => pool.splice(Math.floor(rand() * pool.length), 1)[0]!;
  const [na, nb, nw] = [pick(), pick(), pick()];
  const g = new Graph(pick());
  const a = g.input(na, [32, 32]);
  const b = g.input(nb, [32]);
  const init = Array.from({ length: 1024 }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  const w = g.param(nw, [32, 32], values(init));
  const h = B.tanh(B.add(a, b)).named(pick());
  const m = B.matmul(h, w).named(pick());
  const c = B.cumsum(m, 1).named(pick());
  // Scaled so that float32 results agree to the fixed tolerance of `agree`.
  g.output(pick(), B.mul(B.sum(B.mul(c, c), [1]), 0.001).named(pick()));
  g.output(pick(), B.mul(B.sum(m), 0.001).named(pick()));
  g.update(nw, B.sub(w, B.mul(B.matmul(B.transpose(h), c), 0.001)).named(pick()));
  const feeds = {
    [na]: Array.from({ length: 1024 }, (_, i) => Math.sin(i) / 2),
    [nb]: Array.from({ length: 32 }, (_, i) => (i % 5) / 10),
  };
  return { g, feeds, leaves: [na, nb, nw] };
}

describe('names spelled like generated locals', () => {
  it('TS (wasm off and all): 8 graphs keep every leaf name, typecheck and match the interpreter', async () => {
    const modules: Record<string, string> = {};
    for (let k = 0; k < 8; k++) {
      const { g, feeds, leaves } = localsGraph(300 + k);
      for (const wasm of ['off', 'all'] as const) {
        const { source } = await emitTs(g, { format: false, wasm });
        modules[`l${k}${wasm}`] = source;
        // Each leaf is a kernel parameter under its own spelling (no `p_`, no `acc_2`).
        for (const name of leaves)
          expect(source).toMatch(new RegExp(`[(,] ?${name}: Float32Array`));
        const ref = await compile(g, { target: 'interp' });
        await agree(await compile(g, { target: 'ts', wasm }), ref, feeds);
      }
    }
    expect(typecheckModules(modules)).toEqual([]);
  });

  it.skipIf(!adapter)('WGSL: 4 graphs keep every leaf name, validate and match', async () => {
    const device = await getDevice();
    for (let k = 0; k < 4; k++) {
      const { g, feeds, leaves } = localsGraph(700 + k);
      const { files } = await emitFiles(g, { target: 'wgsl' });
      const code = files.find((f) => f.path.endsWith('.wgsl'))!.text;
      const info = await device.createShaderModule({ code }).getCompilationInfo();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => m.message)).toEqual([]);
      for (const name of leaves) {
        // `step` is a WGSL built-in function (predeclared, so reserved like the language's words).
        const id = name === 'step' ? 'step_buf' : name;
        expect(code).toContain(`var<storage, read_write> ${id}: array`);
      }
      const exe = await compile(g, { target: 'wgsl' });
      await agree(exe, await compile(g, { target: 'interp' }), feeds);
      exe.dispose();
    }
  });
});
