// The kernel IR: a compiled step as buffers, kernels (small loop nests) and a flat list of steps.
// Both renderers consume exactly this; they only choose syntax and the parallel mapping.
import type { DType } from '../ir/dtype.ts';
import type { Expr } from './expr.ts';

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

interface KernelBase {
  readonly name: string;
  /** What it fused, chain-rule steps and user lines: shown above the kernel in generated code. */
  readonly notes: readonly string[];
  /** The graph ops it computes, in order. */
  readonly ops: readonly string[];
}

/** for idx in shape: stores at idx. Loop variables are i0, i1, … */
export interface MapKernel extends KernelBase {
  readonly kind: 'map';
  readonly shape: readonly number[];
  readonly stores: readonly Store[];
}

/**
 * for o in outShape: acc = init; for r in redShape: acc ⊕= value; then stores (epilogue on acc).
 * value sees o0… and r0…; stores see o0… and acc.
 */
export interface ReduceKernel extends KernelBase {
  readonly kind: 'reduce';
  readonly op: 'sum' | 'max';
  readonly outShape: readonly number[];
  readonly redShape: readonly number[];
  readonly value: Expr;
  readonly stores: readonly Store[];
}

/**
 * A running sum along `axis` of `shape`: for o over the other axes: acc = 0; for r0 along the axis
 * (from the end when `reverse`): acc += value; then stores at (o with r0 at `axis`). value and
 * stores see o0… (the other axes, in order) and r0. O(n) work per row.
 */
export interface ScanKernel extends KernelBase {
  readonly kind: 'scan';
  readonly op: 'sum';
  readonly shape: readonly number[];
  readonly axis: number;
  readonly reverse: boolean;
  readonly value: Expr;
  readonly stores: readonly Store[];
}

/** C[b] = A[b] · B[b] with the epilogue stores at (b, i, j) seeing acc; vars b, i, j. */
export interface MatmulKernel extends KernelBase {
  readonly kind: 'matmul';
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: StridedView;
  readonly b: StridedView;
  readonly stores: readonly Store[];
}

/** out = 0; for (p, j, q): out[p, index[j], q] += updates[p, j, q]. */
export interface ScatterKernel extends KernelBase {
  readonly kind: 'scatter';
  readonly out: string;
  readonly updates: string;
  readonly indices: string;
  readonly pre: number;
  readonly count: number;
  readonly post: number;
  readonly size: number;
}

export type Kernel = MapKernel | ReduceKernel | ScanKernel | MatmulKernel | ScatterKernel;

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
