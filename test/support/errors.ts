// Helpers for tests that assert GraphError messages, including the caller's own file:line.
import { expect } from 'vitest';
import { GraphError } from '../../src/ir/errors.ts';

/** The error `fn` throws (fails the test if it does not throw a GraphError). */
export function caught(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return e as GraphError;
  }
  throw new Error('expected a GraphError');
}

/** The line of the test file that calls `here()`, read from the (source-mapped) stack. */
export function here(): number {
  const frame = new Error().stack!.split('\n')[2]!;
  return Number(/errors\.test\.ts:(\d+):\d+/.exec(frame)![1]);
}
