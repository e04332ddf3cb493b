// THE op table: every primitive's rules, gathered from the files that define them by kind.
// Its type is a mapped type over the op names, so a missing entry or rule fails to typecheck.
import type { OpTable } from './def.ts';
import type { OpName } from './names.ts';
import { binaryOps, cast, compareOps, stopGradient, unaryOps, where } from './elementwise.ts';
import { gather, iota, random, scatterAdd } from './index.ts';
import { constant, input, param, tensor } from './leaf.ts';
import { matmul } from './matmul.ts';
import { broadcast, concat, pad, permute, reshape, slice } from './movement.ts';
import { cumsum, max, sum } from './reduce.ts';
import { customVjp } from './custom.ts';

export const OPS: OpTable = {
  input,
  param,
  constant,
  tensor,
  ...unaryOps,
  ...binaryOps,
  ...compareOps,
  where,
  cast,
  stop_gradient: stopGradient,
  sum,
  max,
  cumsum,
  reshape,
  permute,
  broadcast,
  slice,
  pad,
  concat,
  matmul,
  gather,
  scatter_add: scatterAdd,
  iota,
  random,
  custom_vjp: customVjp,
};

/** Every op name, in the table's order. */
export const OP_NAMES = Object.keys(OPS) as readonly OpName[];
