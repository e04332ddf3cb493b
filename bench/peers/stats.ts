// Timing helpers shared by the peers: a monotonic clock, median, and the W2 batch schedule.
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * W1 training loops wait for the device every SYNC_EVERY steps (and at each epoch's end), so
 * asynchronous backends never queue an unbounded amount of work (jax-js's README asks for this).
 */
export const SYNC_EVERY = 50;

/** W1 throughput: samples / median epoch time, skipping the first (compile/warm-up) epoch if ≥ 2. */
export function epochRate(samples: number, epochSeconds: number[]): number {
  return samples / median(epochSeconds.length > 1 ? epochSeconds.slice(1) : epochSeconds);
}

/** First sample of the W2 batch used at step s (see Peer.w2). */
export function w2BatchStart(step: number, trainCount: number, batch: number): number {
  return (step % Math.floor(trainCount / batch)) * batch;
}

/** Runs warmup + timed steps; returns the median timed step in ms and the last step's value. */
export async function timeSteps(
  warmup: number,
  steps: number,
  step: (s: number) => Promise<number>,
): Promise<{ ms: number; last: number }> {
  let last = NaN;
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = now();
    last = await step(s);
    if (s >= warmup) times.push(now() - t0);
  }
  return { ms: median(times), last };
}
