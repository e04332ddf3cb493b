// The kernel IR: a compiled step as buffers, kernels (small loop nests) and a flat list of steps.
// Both renderers consume exactly this; they only choose syntax and the parallel mapping.
import type { DType } from '../ir/dtype.ts';
import type { Expr } from './expr.ts';
import type { Kernel } from './kinds/index.ts';

export type BufferRole = 'input' | 'param' | 'const' | 'temp';

export interface BufferInfo {
  /** Unique, human-derived name (sanitized later by each renderer). */
  readonly name: string;
  readonly role: BufferRole;
  readonly dtype: DType;
  /** Elements. */
  readonly size: number;
  readonly shape: readonly number[];
  /** Memory-plan slot for temps (buffers sharing a slot never live at the same time). */
  readonly slot: number;
  /** Literal values of a const buffer. */
  readonly values?: readonly number[];
}

/** A store of `expr` at the kernel's output position into `buf`. */
export interface Store {
  readonly buf: string;
  readonly expr: Expr;
}

/**
 * One batch axis of a matmul operand: the kernel's flat batch index walks its operands' axes
 * row-major (their sizes multiply to the kernel's batch); a broadcast axis has stride 0.
 */
export interface BatchAxis {
  readonly size: number;
  readonly stride: number;
}

/**
 * A matmul operand as a strided view: element (b, r, c) is at offset + batchOffset(b) + r·sr + c·sc,
 * batchOffset summing each batch axis's index times its stride. Adjacent axes that are contiguous
 * in memory are merged, so a plain or broadcast batch has one axis and a head split two.
 */
export interface StridedView {
  readonly buf: string;
  readonly offset: number;
  /** Outermost first; empty for an unbatched kernel. */
  readonly batch: readonly BatchAxis[];
  readonly rowStride: number;
  readonly colStride: number;
}

/** A kernel of any kind: the kinds and their kernel types live in ./kinds/ (the registry). */
export type { Kernel } from './kinds/index.ts';

/** One term of a batch offset: ⌊b / div⌋ (mod `mod` unless 0) · stride, for flat batch index b. */
export interface BatchTerm {
  readonly div: number;
  readonly mod: number;
  readonly stride: number;
}

/** The nonzero terms of a view's batch offset (the outermost axis needs no mod). */
export function batchTerms(v: StridedView): BatchTerm[] {
  const terms: BatchTerm[] = [];
  let div = 1;
  for (let d = v.batch.length - 1; d >= 0; d--) {
    const { size, stride } = v.batch[d]!;
    if (stride !== 0) terms.unshift({ div, mod: d === 0 ? 0 : size, stride });
    div *= size;
  }
  return terms;
}

export interface OutputInfo {
  readonly name: string;
  readonly buf: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type Step =
  | { readonly kind: 'kernel'; readonly kernel: Kernel }
  | { readonly kind: 'copy'; readonly from: string; readonly to: string; readonly size: number }
  | CheckStep;

/**
 * The numerics guard (compile option checkNumerics): after a kernel, stop at the first NaN or ±∞
 * in `size` elements of `buf`, reporting `what` (the kernel, its ops and the user's lines).
 * Added after the memory plan; renderers render it as a cheap scan.
 */
export interface CheckStep {
  readonly kind: 'check';
  readonly buf: string;
  readonly size: number;
  readonly what: string;
}

export interface Program {
  readonly name: string;
  readonly buffers: readonly BufferInfo[];
  readonly steps: readonly Step[];
  readonly outputs: readonly OutputInfo[];
  /** Param name → buffer holding its new value (written in place where safe). */
  readonly updates: ReadonlyMap<string, string>;
  /** Sizes of the temp slots (elements) and their dtypes. */
  readonly slots: readonly { readonly dtype: DType; readonly size: number }[];
  readonly stats: ProgramStats;
}

export interface ProgramStats {
  readonly kernels: number;
  readonly peakBytes: number;
  /** Bytes if every intermediate had its own buffer. */
  readonly unplannedBytes: number;
  readonly fusionNotes: readonly string[];
}

export function kernelsOf(p: Program): Kernel[] {
  return p.steps.flatMap((s) => (s.kind === 'kernel' ? [s.kernel] : []));
}
