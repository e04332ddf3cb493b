// Learning-rate schedules: host functions of the 0-based step; the training loop feeds lr(step)
// into the graph's scalar `lr` input each step (see optim.ts for why the host computes it).
export type LrSchedule = (step: number) => number;

export const constantLr =
  (lr: number): LrSchedule =>
  () =>
    lr;

/** lr · gamma^⌊step / every⌋. */
export const stepLr =
  (lr: number, every: number, gamma = 0.1): LrSchedule =>
  (step) =>
    lr * gamma ** Math.floor(step / every);

/** Linear warmup, then half a cosine from lr down to minLr at `total` steps (held after). */
export function cosineLr(lr: number, total: number, minLr = 0, warmup = 0): LrSchedule {
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup;
    const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * p));
  };
}
