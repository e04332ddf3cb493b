// Device memory layout: every buffer of the program (params, inputs, consts, memory-plan slots,
// reduction scratch) lives at a fixed offset inside a few arena GPUBuffers, one dtype each.
import type { BufferInfo, Program } from '../../src/schedule/kernel.ts';

/** The device limits that shape the plan (WebGPU defaults unless the device offers more). */
export interface WgslLimits {
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxBindingsPerBindGroup: number;
}

/** The limits every WebGPU device has: code planned for them runs anywhere. */
export const DEFAULT_LIMITS: WgslLimits = {
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 268435456,
  maxComputeWorkgroupsPerDimension: 65535,
  maxBindingsPerBindGroup: 1000,
};

export class WgslLimitError extends Error {
  override readonly name = 'WgslLimitError';
}

/** Binding offsets are multiples of 256 bytes: the largest minStorageBufferOffsetAlignment. */
export const ALIGN_ELEMS = 64;

export type StorageType = 'f32' | 'i32';

export interface Arena {
  readonly dtype: StorageType;
  /** Elements (4 bytes each). */
  readonly size: number;
}

/** Where one buffer lives: element offset and length inside an arena. */
export interface Region {
  readonly arena: number;
  readonly offset: number;
  readonly size: number;
  readonly dtype: StorageType;
}

export interface Layout {
  readonly arenas: readonly Arena[];
  readonly regions: ReadonlyMap<string, Region>;
}

/** Name of the scratch buffer holding partial results of two-pass reductions. */
export const PARTIALS = '(partials)';

const storageOf = (dtype: string): StorageType => (dtype === 'f32' ? 'f32' : 'i32');
const alignUp = (n: number) => Math.ceil(n / ALIGN_ELEMS) * ALIGN_ELEMS;

interface Item {
  readonly names: readonly string[];
  readonly dtype: StorageType;
  readonly size: number;
  /** Per-name sizes (temps sharing a slot are smaller than the slot). */
  readonly sizes: readonly number[];
  /** The largest buffer of the item, for messages: `input 'x' f32[…]`. */
  readonly what: string;
}

const describe = (b: BufferInfo) => `${b.role} '${b.name}' ${b.dtype}[${b.shape.join(', ')}]`;

function items(p: Program, scratch: number): Item[] {
  const out: Item[] = [];
  const one = (b: BufferInfo): Item => ({
    names: [b.name],
    dtype: storageOf(b.dtype),
    size: b.size,
    sizes: [b.size],
    what: describe(b),
  });
  for (const role of ['param', 'input', 'const'] as const) {
    for (const b of p.buffers) if (b.role === role) out.push(one(b));
  }
  p.slots.forEach((s, i) => {
    const temps = p.buffers.filter((b) => b.role === 'temp' && b.slot === i);
    const names = temps.map((t) => t.name);
    const sizes = temps.map((t) => t.size);
    const what = describe(temps[sizes.indexOf(Math.max(...sizes))]!);
    out.push({ names, dtype: storageOf(s.dtype), size: s.size, sizes, what });
  });
  for (const b of p.buffers) {
    if (b.role === 'temp' && b.slot < 0) out.push(one(b));
  }
  if (scratch > 0) {
    const what = 'the partial sums of two-pass reductions';
    out.push({ names: [PARTIALS], dtype: 'f32', size: scratch, sizes: [scratch], what });
  }
  return out;
}

/** Pack buffers into arenas no larger than one storage binding may be (so any can be bound whole). */
export function planLayout(p: Program, limits: WgslLimits, scratch = 0): Layout {
  const cap = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4);
  const arenas: { dtype: StorageType; size: number }[] = [];
  const regions = new Map<string, Region>();
  const open = new Map<StorageType, number>();
  for (const it of items(p, scratch)) {
    const size = Math.max(it.size, 1);
    if (size > cap) {
      throw new WgslLimitError(
        `${it.what} needs ${size * 4} bytes, more than the device allows in one ` +
          `storage binding (maxStorageBufferBindingSize ${cap * 4})`,
      );
    }
    let a = open.get(it.dtype);
    if (a === undefined || alignUp(arenas[a]!.size) + size > cap) {
      arenas.push({ dtype: it.dtype, size: 0 });
      a = arenas.length - 1;
      open.set(it.dtype, a);
    }
    const arena = arenas[a]!;
    const offset = alignUp(arena.size);
    arena.size = offset + size;
    it.names.forEach((name, i) => {
      regions.set(name, { arena: a, offset, size: Math.max(it.sizes[i]!, 1), dtype: it.dtype });
    });
  }
  return { arenas, regions };
}
