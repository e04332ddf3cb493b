// The primitive op names and the attributes each one carries. Lowercase, as printed in the IR.
import type { DType } from '../ir/dtype.ts';
import type { RandDist } from '../schedule/expr.ts';

export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'reciprocal',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'abs',
  'sign',
  'log1p',
  'expm1',
  'softplus',
  'erf',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'asinh',
  'atanh',
  'floor',
  'ceil',
  'round',
  'trunc',
] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];

type Leaf = {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
};
type None = Readonly<Record<string, never>>;

export interface OpAttrs
  extends Record<UnaryOp, None>, Record<BinaryOp, None>, Record<CompareOp, None> {
  input: Leaf;
  param: Leaf;
  constant: { readonly value: number; readonly shape: readonly number[]; readonly dtype: DType };
  tensor: { readonly values: readonly number[]; readonly shape: readonly number[] };
  iota: { readonly shape: readonly number[]; readonly axis: number; readonly dtype: DType };
  random: {
    readonly shape: readonly number[];
    readonly dist: RandDist;
    readonly seed: number;
  };
  stop_gradient: None;
  cast: { readonly dtype: DType };
  where: None;
  sum: { readonly axes: readonly number[] };
  max: { readonly axes: readonly number[] };
  /** Running sum along `axis`; `reverse` sums from the end (cumsum's own VJP). */
  cumsum: { readonly axis: number; readonly reverse: boolean };
  reshape: { readonly shape: readonly number[] };
  permute: { readonly perm: readonly number[] };
  broadcast: { readonly shape: readonly number[] };
  slice: {
    readonly starts: readonly number[];
    readonly stops: readonly number[];
    readonly steps: readonly number[];
  };
  pad: {
    readonly lo: readonly number[];
    readonly hi: readonly number[];
    readonly interior: readonly number[];
    readonly value: number;
  };
  concat: { readonly axis: number };
  matmul: None;
  gather: { readonly axis: number };
  scatter_add: { readonly axis: number; readonly size: number };
  custom_vjp: { readonly rule: string; readonly args: readonly number[] };
}

export type OpName = keyof OpAttrs;
