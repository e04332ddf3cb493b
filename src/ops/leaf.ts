// Leaves: inputs and params (values supplied at run time), constants and literal tensors.
import { size } from '../ir/shape.ts';
import * as E from '../schedule/expr.ts';
import type { OpDef } from './def.ts';

function leaf(op: 'input' | 'param'): OpDef<typeof op> {
  return {
    arity: 0,
    infer: (_ins, a) =>
      a.shape.every((d) => Number.isInteger(d) && d >= 0)
        ? { shape: a.shape, dtype: a.dtype }
        : `${op} '${a.name}': bad shape [${a.shape}]`,
    eval: (_ins, a) => {
      throw new Error(`${op} '${a.name}' has no value here: the interpreter supplies leaves`);
    },
    vjp: null,
    lower: { kind: 'leaf' },
    // Fed values are assumed finite (checked by the numerics guard where enabled).
    facts: { finite: () => true },
  };
}

export const input = leaf('input');
export const param = leaf('param');

export const constant: OpDef<'constant'> = {
  arity: 0,
  infer: (_ins, a) => ({ shape: a.shape, dtype: a.dtype }),
  eval: (_ins, a) => new Float64Array(size(a.shape)).fill(a.value),
  vjp: null,
  lower: { kind: 'expr', expr: (_c, a) => E.num(a.value, a.dtype) },
  facts: {
    cost: 0,
    literal: true,
    finite: (a) => Number.isFinite(a.value),
    quietName: true,
  },
};

export const tensor: OpDef<'tensor'> = {
  arity: 0,
  infer: (_ins, a) =>
    a.values.length === size(a.shape)
      ? { shape: a.shape, dtype: 'f32' }
      : 'values do not fill the shape',
  eval: (_ins, a) => Float64Array.from(a.values),
  vjp: null,
  lower: { kind: 'leaf' },
  facts: { literal: true, finite: (a) => a.values.every(Number.isFinite) },
};
