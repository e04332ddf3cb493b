// Activation functions by name, so layers can take `activation: 'relu'` as well as a function.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { GraphError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';

export type ActivationFn = (x: Node) => Node;
export type ActivationName =
  'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'gelu' | 'softmax';
export type Activation = ActivationName | ActivationFn;

export const sigmoid: ActivationFn = B.sigmoid;
export const tanh: ActivationFn = B.tanh;
export const relu: ActivationFn = B.relu;
export const gelu: ActivationFn = C.gelu;
export const leakyRelu = (x: Node, slope = 0.01): Node => C.leakyRelu(x, slope);
/** Softmax over the last axis (the class axis of [batch, classes] logits). */
export const softmax = (x: Node): Node => C.softmax(x, -1);

const BY_NAME: Readonly<Record<ActivationName, ActivationFn>> = {
  linear: (x) => x,
  sigmoid,
  tanh,
  relu,
  leakyRelu: (x) => leakyRelu(x),
  gelu,
  softmax,
};

export function activationFn(a: Activation): ActivationFn {
  if (typeof a === 'function') return a;
  const fn = BY_NAME[a];
  if (!fn) {
    const known = Object.keys(BY_NAME).join(', ');
    throw new GraphError('attr', `unknown activation '${String(a)}' (known: ${known})`);
  }
  return fn;
}
