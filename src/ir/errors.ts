// User-facing errors: one class per stage, each with a stable code, built by small factories.
import type { Shape } from './shape.ts';
import { fmtShape } from './shape.ts';
import type { Site } from './site.ts';
import { fmtSite } from './site.ts';

export type GraphErrorCode =
  'shape' | 'dtype' | 'attr' | 'graph' | 'grad' | 'input' | 'param' | 'checkpoint' | 'numerics';

/** Thrown while building, differentiating or feeding a graph. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    readonly code: GraphErrorCode,
    message: string,
    readonly site?: Site,
  ) {
    super(site ? `${message} (at ${fmtSite(site)})` : message);
  }
}

/** A shape or dtype mismatch when building `op`. */
export function opError(
  code: GraphErrorCode,
  op: string,
  detail: string,
  shapes: readonly Shape[],
  site: Site,
): GraphError {
  // A leaf (input, param) has no operands to list.
  const operands = shapes.length ? `; operand shapes ${shapes.map(fmtShape).join(', ')}` : '';
  return new GraphError(code, `${op}: ${detail}${operands}`, site);
}
