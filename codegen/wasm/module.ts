// Program → one wasm module for the CPU hot kernels: a linear-memory layout that places every
// buffer of the memory plan (inputs, params, constants, temp slots) at a fixed byte offset, the
// choice of which kernels run in wasm, and the encoded module exporting one function per kernel.
import type { BufferInfo, Kernel, MatmulKernel, Program } from '../../src/schedule/kernel.ts';
import { kernelExprs } from '../../src/schedule/walk.ts';
import { ModuleBuilder } from './encoder.ts';
import type { FuncBuilder } from './encoder.ts';
import { imports } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';
import { renderMap, renderReduce } from './loops.ts';
import { matmulScratch, renderMatmul } from './matmul.ts';
import { renderVectorMap, vectorRefusal } from './vector.ts';

/**
 * Which kernels run in wasm: 'auto' picks the kernels the SIMD code makes faster (the size rule
 * below); 'all' every map, reduce and matmul (differential tests exercise the wasm code on tiny
 * shapes with it).
 */
export type WasmSelect = 'auto' | 'all';

/**
 * Matmuls run in wasm SIMD from this many multiply-adds and with every dimension at least
 * MIN_DIM; below that, packing costs more than it saves, and the TS row form (which skips zero
 * rows of A, as in the seed network's input images) wins. Measured in bench/wasm-rule.ts.
 */
export const MIN_MATMUL_WORK = 1 << 17;
export const MIN_DIM = 16;

/** Maps of at least this many elements run in wasm when every lane can be computed in f32x4. */
export const MIN_VECTOR_MAP = 1 << 14;

export function runsInWasm(
  k: Kernel,
  select: WasmSelect,
  dtypeOf: (buf: string) => string,
): boolean {
  if (k.kind === 'scatter') return false;
  if (select === 'all') return true;
  if (k.kind === 'map') {
    const size = k.shape.reduce((a, d) => a * d, 1);
    return size >= MIN_VECTOR_MAP && vectorRefusal(k, dtypeOf) === null;
  }
  if (k.kind !== 'matmul') return false;
  return Math.min(k.m, k.n, k.k) >= MIN_DIM && k.m * k.n * k.k * k.batch >= MIN_MATMUL_WORK;
}

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
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

function layout(p: Program, scratchFloats: number): WasmLayout & { scratch: number } {
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
  const scratch = take(scratchFloats);
  return { buffers, slots, scratch, pages: Math.ceil(at / 65536) };
}

function renderKernel(
  k: Kernel,
  place: (buf: string) => BufferPlace,
  scratch: number,
  fn: (n: ImportName) => number,
  dtypeOf: (buf: string) => string,
): FuncBuilder {
  switch (k.kind) {
    case 'matmul':
      return renderMatmul(k, place, scratch, fn);
    case 'map':
      return vectorRefusal(k, dtypeOf) === null
        ? renderVectorMap(k, place, fn)
        : renderMap(k, place, fn);
    case 'reduce':
      return renderReduce(k, place, fn);
    case 'scatter':
      throw new Error(`wasm: scatter kernel ${k.name} stays in TypeScript`);
  }
}

/** The wasm module for a program, or null when no kernel runs in wasm. */
export function renderWasm(
  p: Program,
  select: WasmSelect,
  exportName: (kernel: string) => string = (k) => k,
): WasmModule | null {
  const byName = new Map<string, BufferInfo>(p.buffers.map((b) => [b.name, b]));
  const dtypeOf = (buf: string) => byName.get(buf)!.dtype;
  const chosen: Kernel[] = [];
  for (const s of p.steps) {
    if (s.kind === 'kernel' && runsInWasm(s.kernel, select, dtypeOf)) chosen.push(s.kernel);
  }
  if (!chosen.length) return null;
  const matmuls = chosen.filter((k): k is MatmulKernel => k.kind === 'matmul');
  const lay = layout(p, Math.max(0, ...matmuls.map(matmulScratch)));
  const place = (buf: string): BufferPlace => {
    const b = byName.get(buf)!;
    return { at: lay.buffers.get(buf)!, size: b.size, dtype: b.dtype };
  };
  const used = new Set<ImportName>();
  for (const k of chosen) for (const n of imports(kernelExprs(k))) used.add(n);
  const names = [...used].sort();
  const mod = new ModuleBuilder(lay.pages);
  const fnIndex = new Map<string, number>();
  for (const n of names) {
    const params = n === 'pow' ? 2 : n.startsWith('rand') ? 3 : 1;
    fnIndex.set(n, mod.importFunc(n, { params: new Array(params).fill('f64'), results: ['f64'] }));
  }
  const fn = (n: ImportName) => fnIndex.get(n)!;
  for (const k of chosen) {
    mod.func(
      exportName(k.name),
      { params: [], results: [] },
      renderKernel(k, place, lay.scratch, fn, dtypeOf),
    );
  }
  return {
    bytes: mod.encode(),
    layout: lay,
    kernels: new Set(chosen.map((k) => k.name)),
    imports: names,
  };
}
