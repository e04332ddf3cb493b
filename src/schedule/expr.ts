// Scalar expressions inside a kernel: values and index arithmetic, shared by both renderers.
import type { DType } from '../ir/dtype.ts';
import { UNARY_OPS } from '../ops/names.ts';
import type { UnaryOp } from '../ops/names.ts';

/** Graph unary ops whose kernel scalar function is spelled otherwise. */
const SCALAR_NAME = { reciprocal: 'recip' } as const;
/** Graph unary ops lowered to an expression over other scalar functions (none of their own). */
export const COMPOSED_UNARY = ['softplus'] as const;
/**
 * Scalar functions that no graph unary op has: `not` (masks of comparisons) and `wrap`, which
 * reduces an i32 result of add/sub/mul/neg/abs modulo 2³² (renderers whose numbers are wider than
 * int32, TS and wasm's f64, need it; `wrap(a * b)` is an int32 multiply).
 */
const SCALAR_ONLY = ['not', 'wrap'] as const;

type Composed = (typeof COMPOSED_UNARY)[number];
type Renamed<P extends UnaryOp> = P extends keyof typeof SCALAR_NAME ? (typeof SCALAR_NAME)[P] : P;

/**
 * The scalar functions of kernel expressions, derived from the graph's unary ops (so a new
 * scalar op is one name in src/ops/names.ts); each renderer has one entry per name.
 */
export type UnOp = Renamed<Exclude<UnaryOp, Composed>> | (typeof SCALAR_ONLY)[number];

/** The kernel scalar function of graph unary op `op` (null: it lowers to an expression). */
export function scalarOf(op: UnaryOp): UnOp | null {
  if ((COMPOSED_UNARY as readonly string[]).includes(op)) return null;
  return (op in SCALAR_NAME ? SCALAR_NAME[op as keyof typeof SCALAR_NAME] : op) as UnOp;
}

export const UN_OPS: readonly UnOp[] = [
  ...UNARY_OPS.flatMap((op) => scalarOf(op) ?? []),
  ...SCALAR_ONLY,
];

/** The binary operators of kernel expressions; each renderer has one entry per name. */
export const BIN_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'mod',
  'pow',
  'max',
  'min',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
] as const;
export type BinOp = (typeof BIN_OPS)[number];

export type RandDist = 'uniform' | 'normal';

/** `buf` names a kernel binding; `at` is a flat element index (i32). Division on i32 floors. */
export type Expr =
  | { readonly k: 'num'; readonly v: number; readonly t: DType }
  | { readonly k: 'var'; readonly name: string; readonly t: 'i32' }
  /** The accumulator of a reduction or matmul, seen by its epilogue. */
  | { readonly k: 'acc'; readonly t: 'f32' | 'i32' }
  | { readonly k: 'load'; readonly buf: string; readonly at: Expr; readonly t: DType }
  | { readonly k: 'un'; readonly op: UnOp; readonly a: Expr; readonly t: DType }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr; readonly t: DType }
  | { readonly k: 'sel'; readonly c: Expr; readonly a: Expr; readonly b: Expr; readonly t: DType }
  | { readonly k: 'cast'; readonly a: Expr; readonly t: DType }
  | {
      readonly k: 'rand';
      readonly dist: RandDist;
      readonly seed: number;
      readonly counter: Expr;
      readonly at: Expr;
      readonly t: 'f32';
    };

const CMP: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or']);

export const num = (v: number, t: DType = 'f32'): Expr => ({ k: 'num', v, t });
export const int = (v: number): Expr => ({ k: 'num', v, t: 'i32' });
export const ivar = (name: string): Expr => ({ k: 'var', name, t: 'i32' });
export const ACC: Expr = { k: 'acc', t: 'f32' };
const ACC_I32: Expr = { k: 'acc', t: 'i32' };
/** The accumulator of a kernel whose result has dtype `t`: an i32 sum or scan folds in i32. */
export const accOf = (t: DType): Expr => (t === 'i32' ? ACC_I32 : ACC);
export const load = (buf: string, at: Expr, t: DType): Expr => ({ k: 'load', buf, at, t });
export const un = (op: UnOp, a: Expr): Expr => ({ k: 'un', op, a, t: op === 'not' ? 'bool' : a.t });
export const cast = (a: Expr, t: DType): Expr => (a.t === t ? a : { k: 'cast', a, t });
export const sel = (c: Expr, a: Expr, b: Expr): Expr => ({ k: 'sel', c, a, b, t: a.t });

/** The graph's int32 arithmetic on `e`: wrapped modulo 2³² when it is i32 (see SCALAR_ONLY). */
export const wrapInt = (e: Expr): Expr => (e.t === 'i32' ? un('wrap', e) : e);

export function bin(op: BinOp, a: Expr, b: Expr): Expr {
  return { k: 'bin', op, a, b, t: CMP.has(op) ? 'bool' : a.t };
}

/** Integer index arithmetic with the obvious constant folds, so index expressions stay short. */
export function iadd(a: Expr, b: Expr): Expr {
  if (a.k === 'num' && a.v === 0) return b;
  if (b.k === 'num' && b.v === 0) return a;
  if (a.k === 'num' && b.k === 'num') return int(a.v + b.v);
  return bin('add', a, b);
}

export function imul(a: Expr, b: Expr): Expr {
  if ((a.k === 'num' && a.v === 0) || (b.k === 'num' && b.v === 0)) return int(0);
  if (a.k === 'num' && a.v === 1) return b;
  if (b.k === 'num' && b.v === 1) return a;
  if (a.k === 'num' && b.k === 'num') return int(a.v * b.v);
  return bin('mul', a, b);
}

export function idiv(a: Expr, d: number): Expr {
  if (d === 1) return a;
  if (a.k === 'num') return int(Math.floor(a.v / d));
  return bin('div', a, int(d));
}

export function imod(a: Expr, d: number): Expr {
  if (d === 1) return int(0);
  if (a.k === 'num') return int(a.v % d);
  return bin('mod', a, int(d));
}

/** Flat row-major offset of a multi-index. */
export function flatIndex(idx: readonly Expr[], shape: readonly number[]): Expr {
  let acc: Expr = int(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    acc = iadd(imul(idx[i]!, int(stride)), acc);
    stride *= shape[i]!;
  }
  return acc;
}

/** Multi-index of a flat row-major offset. */
export function unflatIndex(flat: Expr, shape: readonly number[]): Expr[] {
  const out = new Array<Expr>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    out[i] = d === 1 ? int(0) : i === 0 ? idiv(flat, stride) : imod(idiv(flat, stride), d);
    stride *= d;
  }
  return out;
}
