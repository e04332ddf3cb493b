// Elementwise composites with PyTorch's names: silu, elu, clamp, softplus with β, exact GELU.
import type { Node } from '../ir/node.ts';
import * as B from './ops.ts';

/** x·σ(x) (also called swish). */
export function silu(x: Node): Node {
  return B.mul(x, B.sigmoid(x));
}

/** x for x > 0, α(eˣ − 1) otherwise (expm1 keeps small negative x accurate). */
export function elu(x: Node, alpha = 1): Node {
  return B.where(B.gt(x, 0), x, B.mul(B.expm1(x), alpha));
}

/** min(max(x, lo), hi); either bound may be left out. The gradient passes where lo ≤ x ≤ hi. */
export function clamp(x: Node, min?: number | Node, max?: number | Node): Node {
  let y = x;
  if (min !== undefined) y = B.maximum(y, min);
  if (max !== undefined) y = B.minimum(y, max);
  return y;
}

/** log(1 + e^(βx))/β, stable for every x (the primitive is max(x,0) + log1p(e^−|x|)). */
export function softplus(x: Node, beta = 1): Node {
  if (beta === 1) return B.unary('softplus', x);
  return B.div(B.unary('softplus', B.mul(x, beta)), beta);
}

/** Exact GELU: ½x(1 + erf(x/√2)) (PyTorch's gelu with approximate='none'). */
export function geluExact(x: Node): Node {
  return B.mul(B.mul(x, 0.5), B.add(B.erf(B.mul(x, Math.SQRT1_2)), 1));
}
