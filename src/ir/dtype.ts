// Element types. Kernels compute in f32; the reference interpreter computes everything in float64.
export type DType = 'f32' | 'i32' | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32';
}
