// Program → one wasm module for the CPU hot kernels: a linear-memory layout that places every
// buffer of the memory plan (inputs, params, constants, temp slots) at a fixed byte offset, the
// choice of which kernels run in wasm, and the encoded module exporting one function per kernel.
import type { BufferInfo, Kernel, Program } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { kindOf } from '../../src/schedule/kinds/index.ts';
import type { KernelKind } from '../../src/schedule/kinds/index.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { kernelExprs } from '../../src/schedule/walk.ts';
import { FuncBuilder, ModuleBuilder } from './encoder.ts';
import { imports, unsupportedOp } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { renderMap, renderReduce, renderScan } from './loops.ts';
import { epilogueRefusal, renderVectorEpilogue } from './epilogue.ts';
import { accBytes, directOutput, packBytes, renderEpilogue, renderProduct } from './matmul.ts';
import { MICRO_PARAMS, renderMicroKernel } from './micro.ts';
import { renderRowMap, rowRefusal } from './rows.ts';
import { SharedBodies } from './share.ts';
import * as Row from './rowmm.ts';
import { renderScatter } from './scatter.ts';
import { renderVectorMap, vectorRefusal } from './vector.ts';
import { reduceLanes, renderVectorReduce } from './vreduce.ts';

/**
 * Which kernels run in wasm: 'auto' all but the tiniest (the size rule below); 'all' every map,
 * reduce, scan and matmul (differential tests exercise the wasm code on tiny shapes with it).
 */
export type WasmSelect = 'auto' | 'all';

/**
 * A kernel runs in wasm from this much work (multiply-adds of a matmul, elements of a map,
 * output × reduced elements of a reduction); tinier kernels (scalars, a few elements) stay TS.
 * Measured with scripts/wasm-rule.mts (interleaved, on this shared 2-core machine): wasm won at
 * every size tried, from a 16×16×16 matmul (2.7×) to the seed network's 10×784×30 forward and
 * 784×10×30 zero-skipping weight gradient (whole W1 step 3.7× the scalar TS). Lowered from 1024
 * to 64 when the maps and reductions went SIMD: the W1 step is unchanged (1.02–1.04× by CPU
 * time, interleaved), and G1's one-token decode (kernels of 64–256 elements) costs 1.3 ms of CPU
 * per token over its first 60 tokens instead of 3.1 (TS kernels start in V8's interpreter;
 * wasm starts compiled), 0.38 instead of 0.46 once warm. Small kernels share their bodies
 * (MAX_SHARED_WORK below), so the rule costs a graph of thousands of tiny kernels (W4 at 100k
 * nodes) a few bytes of module per kernel rather than a body each.
 */
export const MIN_WASM_WORK = 64;

/**
 * The kinds with wasm code. Partial by design: a kind absent here has no wasm loops, and its
 * TypeScript kernel is the code that runs.
 */
export const WASM_KINDS: { readonly [K in KernelKind]?: true } = {
  map: true,
  reduce: true,
  scan: true,
  matmul: true,
  scatter: true,
};

export function runsInWasm(k: Kernel, select: WasmSelect): boolean {
  if (!WASM_KINDS[k.kind]) return false;
  // An op without wasm code (WASM_UNARY null in expr.ts; none at present) keeps the kernel in TS.
  if (unsupportedOp(kernelExprs(k)) !== null) return false;
  return select === 'all' || kindOf(k).work(k) >= MIN_WASM_WORK;
}

/**
 * Kernels below this much work share their code (share.ts): the body is rendered with each
 * buffer's address read from a global (expr.ts `rebase`), once per kernel key, and kernels with
 * the same body call one function after setting the globals. The mixed 10k-node W4 graph has
 * ~7,000 wasm kernels and 28 distinct bodies; every body is one more function V8 compiles, and
 * the module's bytes are held several times over (base64 in the TS module, the decoded bytes, the
 * compiled code). Larger kernels keep constant addresses, which their inner loops fold into the
 * load and store offsets. Far below MIN_SPLIT_WORK: code a worker thread runs reads no globals
 * (each thread's instance has its own).
 */
export const MAX_SHARED_WORK = 1 << 14;

export interface WasmLayout {
  /** Byte offset of each buffer (by buffer name) and of each temp slot. */
  readonly buffers: ReadonlyMap<string, number>;
  readonly slots: readonly number[];
  readonly pages: number;
}

export interface WasmModule {
  readonly bytes: Uint8Array;
  readonly layout: WasmLayout;
  /** Kernel names exported by the module (each is a function of no arguments). */
  readonly kernels: ReadonlySet<string>;
  /** Helpers the module imports from JavaScript (`Math.*`, the random helpers). */
  readonly imports: readonly ImportName[];
  /** Threads the module is laid out for (each has its own packing scratch). */
  readonly threads: number;
  /** Byte offset of the memory import's shared flag (encoder.ts ModuleBuilder.memoryFlagAt). */
  readonly memoryFlagAt: number;
  /**
   * Matmuls split across the threads: each also exports `<name>#product(t, nt)` (its share of
   * the B panels into the accumulator block) and `<name>#epilogue()` (the stores, one thread).
   */
  readonly split: ReadonlySet<string>;
}

/** Export-name suffixes of a split matmul's two halves (not identifiers: no kernel ends so). */
export const PRODUCT = '#product';
export const EPILOGUE = '#epilogue';

/** A matmul splits across threads from 4M multiply-adds: waking a worker costs tens of µs. */
export const MIN_SPLIT_WORK = 1 << 22;
export const runsSplit = (k: MatmulKernel) => k.batch * k.m * k.n * k.k >= MIN_SPLIT_WORK;

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
const VOID = { params: [], results: [] } as const;

/** The matmuls' shared scratch: the accumulator block, then each thread's packing area. */
interface Scratch {
  readonly acc: number;
  readonly pack: readonly number[];
}

function layout(
  p: Program,
  matmuls: readonly MatmulKernel[],
  threads: number,
  row: (k: MatmulKernel) => boolean,
): WasmLayout & Scratch {
  let at = 16; // address 0 stays unused
  const take = (elems: number) => {
    const here = at;
    at = align16(at + 4 * Math.max(elems, 1));
    return here;
  };
  const buffers = new Map<string, number>();
  for (const b of p.buffers) if (b.role !== 'temp') buffers.set(b.name, take(b.size));
  const slots = p.slots.map((s) => take(s.size));
  for (const b of p.buffers) if (b.role === 'temp') buffers.set(b.name, slots[b.slot]!);
  // Row-form matmuls (rowmm.ts) use the same two areas for their dense C and copied B.
  const accOf = (k: MatmulKernel) => (row(k) ? Row.rowAccBytes(k) : accBytes(k));
  const packOf = (k: MatmulKernel) => (row(k) ? Row.rowPackBytes(k) : packBytes(k));
  const acc = take(Math.max(0, ...matmuls.map(accOf)) / 4);
  const packFloats = Math.max(0, ...matmuls.map(packOf)) / 4;
  const pack = Array.from({ length: threads }, () => take(packFloats));
  return { buffers, slots, acc, pack, pages: Math.ceil(at / 65536) };
}

function renderKernel(
  k: Extract<Kernel, { kind: 'map' | 'reduce' | 'scan' }>,
  place: (buf: string) => BufferPlace,
  fn: (n: ImportName) => number,
  buffer: (buf: string) => BufferInfo,
): FuncBuilder {
  if (k.kind === 'reduce') {
    const mode = reduceLanes(k, buffer);
    return mode ? renderVectorReduce(k, mode, place, fn, buffer) : renderReduce(k, place, fn);
  }
  if (k.kind === 'scan') return renderScan(k, place, fn);
  if (vectorRefusal(k, (b) => buffer(b).dtype) === null) return renderVectorMap(k, place, fn);
  if (rowRefusal(k, buffer) === null) return renderRowMap(k, place, fn);
  return renderMap(k, place, fn);
}

/** A function calling these in turn. */
function callAll(fns: readonly number[]): FuncBuilder {
  const f = new FuncBuilder([]);
  for (const i of fns) f.call(i);
  return f;
}

type MapLike = Extract<Kernel, { kind: 'map' | 'reduce' | 'scan' }>;

/**
 * A row-form matmul (rowmm.ts) as two bodies, the product and the epilogue, on the calling thread
 * (a matmul large enough to split is packed); the epilogue is a map kernel over the dense C.
 */
function rowMatmul(
  k: MatmulKernel,
  place: (buf: string) => BufferPlace,
  lay: WasmLayout & Scratch,
  fn: (n: ImportName) => number,
  bufferOf: (buf: string) => BufferInfo,
  taken: (name: string) => boolean,
): FuncBuilder[] {
  const c = Row.accName(taken);
  const size = k.batch * k.m * k.n;
  const cPlace = { at: lay.acc, size, dtype: 'f32' };
  const shape = k.batch === 1 ? [k.m, k.n] : [k.batch, k.m, k.n];
  const cInfo: BufferInfo = { name: c, role: 'temp', dtype: 'f32', size, shape, slot: -1 };
  const placeC = (buf: string) => (buf === c ? cPlace : place(buf));
  const bufferC = (buf: string) => (buf === c ? cInfo : bufferOf(buf));
  const product = Row.renderRowProduct(k, place, lay.acc, lay.pack[0]!);
  return [product, renderKernel(Row.epilogueMap(k, c), placeC, fn, bufferC)];
}

/** kernel() = product(0, 1) then epilogue(): the whole matmul on the calling thread. */
function wholeMatmul(product: number, epilogue: number): FuncBuilder {
  const f = new FuncBuilder([]);
  f.i32(0).i32(1).call(product).call(epilogue);
  return f;
}

/** The wasm module for a program, or null when no kernel runs in wasm. */
export function renderWasm(
  p: Program,
  select: WasmSelect,
  exportName: (kernel: string) => string = (k) => k,
  threads = 1,
  /** Reuse a body rendered for a kernel with the same key (share.ts); false only in its tests. */
  reuse = true,
): WasmModule | null {
  const byName = new Map<string, BufferInfo>(p.buffers.map((b) => [b.name, b]));
  const bufferOf = (buf: string) => byName.get(buf)!;
  const chosen = kernelsOf(p).filter((k) => runsInWasm(k, select));
  if (!chosen.length) return null;
  const matmuls = chosen.filter((k): k is MatmulKernel => k.kind === 'matmul');
  // Row form (rowmm.ts) for small M or K, unless the matmul is large enough to split.
  const isInput = (buf: string) => byName.get(buf)?.role === 'input';
  const row = (k: MatmulKernel) => !(threads > 1 && runsSplit(k)) && Row.rowForm(k, isInput);
  const lay = layout(p, matmuls, threads, row);
  const place = (buf: string): BufferPlace => {
    const b = byName.get(buf)!;
    return { at: lay.buffers.get(buf)!, size: b.size, dtype: b.dtype };
  };
  const used = new Set<ImportName>();
  for (const k of chosen) for (const n of imports(kernelExprs(k))) used.add(n);
  const names = [...used].sort();
  const mod = new ModuleBuilder(lay.pages, threads > 1);
  const fnIndex = new Map<string, number>();
  for (const n of names) {
    const params = n === 'pow' ? 2 : n.startsWith('rand') ? 3 : 1;
    fnIndex.set(n, mod.importFunc(n, { params: new Array(params).fill('f64'), results: ['f64'] }));
  }
  const fn = (n: ImportName) => fnIndex.get(n)!;
  const micro = matmuls.some((k) => !row(k))
    ? mod.func(null, { params: MICRO_PARAMS, results: [] }, renderMicroKernel())
    : -1;
  const split = new Set<string>();
  const shared = new SharedBodies(mod, place, bufferOf, reuse);
  /** A map, reduce or scan kernel's body, or a row-form matmul's two (product, epilogue). */
  const bodiesOf = (k: MapLike | MatmulKernel, at: (buf: string) => BufferPlace) =>
    k.kind === 'matmul'
      ? rowMatmul(k, at, lay, fn, bufferOf, (n) => byName.has(n))
      : [renderKernel(k, at, fn, bufferOf)];
  for (const k of chosen) {
    const name = exportName(k.name);
    const rowForm = k.kind === 'matmul' && row(k);
    if (k.kind === 'map' || k.kind === 'reduce' || k.kind === 'scan' || rowForm) {
      if (kindOf(k).work(k) < MAX_SHARED_WORK) {
        mod.func(
          name,
          VOID,
          shared.kernel(k, rowForm ? 'row' : '', (at) => bodiesOf(k, at)),
        );
        continue;
      }
      const bodies = bodiesOf(k, place);
      if (bodies.length === 1) mod.func(name, VOID, bodies[0]!);
      else mod.func(name, VOID, callAll(bodies.map((b) => mod.func(null, VOID, b))));
      continue;
    }
    if (k.kind === 'scatter') {
      mod.func(name, VOID, renderScatter(k, place));
      continue;
    }
    const parted = threads > 1 && runsSplit(k);
    if (parted) split.add(k.name);
    const direct = directOutput(k, place); // C is the output: no epilogue pass
    const product = mod.func(
      parted ? `${name}${PRODUCT}` : null,
      { params: ['i32', 'i32'], results: [] },
      renderProduct(k, place, direct ?? lay.acc, lay.pack, micro),
    );
    const epilogue = mod.func(
      parted ? `${name}${EPILOGUE}` : null,
      { params: [], results: [] },
      direct !== null
        ? new FuncBuilder([])
        : epilogueRefusal(k, place) === null
          ? renderVectorEpilogue(k, place, lay.acc, fn)
          : renderEpilogue(k, place, lay.acc, fn),
    );
    mod.func(name, { params: [], results: [] }, wholeMatmul(product, epilogue));
  }
  const bytes = mod.encode();
  return {
    bytes,
    memoryFlagAt: mod.memoryFlagAt,
    layout: lay,
    kernels: new Set(chosen.map((k) => k.name)),
    imports: names,
    threads,
    split,
  };
}
