// Weight initializers as InitSpec producers from a param's fan-in and fan-out: standard normal
// (the seed tutorial's), Xavier/Glorot (normal, uniform), He (normal, uniform), zeros.
import type { InitSpec } from '../ir/init.ts';
import { normal, uniform, zeros as zeroInit } from '../ir/init.ts';
import type { Shape } from '../ir/shape.ts';

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Picks an InitSpec for a param from how many units feed it and how many it feeds. */
export type Initializer = (fans: Fans) => InitSpec;

/**
 * Fans of a weight shape: dense W [in, out]; conv W [O, C, KH, KW] (each output unit sees C·KH·KW
 * inputs); vectors (biases, embeddings rows) count their length both ways.
 */
export function fansOf(shape: Shape): Fans {
  if (shape.length === 4) {
    const field = shape[2]! * shape[3]!;
    return { fanIn: shape[1]! * field, fanOut: shape[0]! * field };
  }
  if (shape.length >= 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const n = shape[0] ?? 1;
  return { fanIn: n, fanOut: n };
}

/** N(0, 1), as in the seed tutorial (fine for small sigmoid nets; saturates wide ones). */
export const standardNormal: Initializer = () => normal(1, 0);

export const zeros: Initializer = () => zeroInit;

/** Glorot: Var = 2 / (fanIn + fanOut), which keeps activations and gradients at unit scale. */
export const xavierNormal: Initializer = ({ fanIn, fanOut }) =>
  normal(Math.sqrt(2 / (fanIn + fanOut)));

export const xavierUniform: Initializer = ({ fanIn, fanOut }) => {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(-a, a);
};

/** He: Var = 2 / fanIn, compensating for ReLU zeroing half its inputs. */
export const heNormal: Initializer = ({ fanIn }) => normal(Math.sqrt(2 / fanIn));

export const heUniform: Initializer = ({ fanIn }) => {
  const a = Math.sqrt(6 / fanIn);
  return uniform(-a, a);
};

/** A fixed InitSpec as an Initializer (e.g. constant(1) for a norm layer's gamma). */
export const fixed =
  (spec: InitSpec): Initializer =>
  () =>
    spec;
