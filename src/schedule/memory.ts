// The memory plan: liveness of every temp over the step list, then greedy slot reuse, so a step
// allocates nothing and the peak is far below the sum of all intermediates.
import type { DType } from '../ir/dtype.ts';
import type { Step } from './kernel.ts';
import { readsOf, writesOf } from './walk.ts';

export interface TempReq {
  readonly name: string;
  readonly dtype: DType;
  readonly size: number;
  /** Live until the end (outputs). */
  readonly pinned: boolean;
}

export interface MemoryPlan {
  readonly slotOf: ReadonlyMap<string, number>;
  readonly slots: readonly { dtype: DType; size: number }[];
  readonly peakBytes: number;
  readonly unplannedBytes: number;
}

function stepReads(s: Step): Set<string> {
  if (s.kind === 'check') return new Set([s.buf]);
  return s.kind === 'kernel' ? readsOf(s.kernel) : new Set([s.from]);
}
function stepWrites(s: Step): Set<string> {
  if (s.kind === 'check') return new Set();
  return s.kind === 'kernel' ? writesOf(s.kernel) : new Set([s.to]);
}

export function planMemory(steps: readonly Step[], temps: readonly TempReq[]): MemoryPlan {
  const req = new Map(temps.map((t) => [t.name, t]));
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  steps.forEach((s, i) => {
    for (const b of stepWrites(s)) if (req.has(b) && !first.has(b)) first.set(b, i);
    for (const b of stepReads(s)) if (req.has(b)) last.set(b, i);
    for (const b of stepWrites(s)) if (req.has(b)) last.set(b, Math.max(last.get(b) ?? i, i));
  });
  const slots: { dtype: DType; size: number }[] = [];
  const free: number[] = [];
  const slotOf = new Map<string, number>();
  const dying = new Map<number, string[]>();
  for (const t of temps) {
    const end = t.pinned ? steps.length : (last.get(t.name) ?? first.get(t.name) ?? 0);
    dying.set(end, [...(dying.get(end) ?? []), t.name]);
  }
  const byStart = [...temps].sort((p, q) => (first.get(p.name) ?? 0) - (first.get(q.name) ?? 0));
  let next = 0;
  for (let i = 0; i <= steps.length; i++) {
    for (; next < byStart.length && (first.get(byStart[next]!.name) ?? 0) === i; next++) {
      const t = byStart[next]!;
      slotOf.set(t.name, takeSlot(slots, free, t));
    }
    for (const name of dying.get(i) ?? []) {
      const s = slotOf.get(name);
      if (s !== undefined) free.push(s);
    }
  }
  const bytes = (n: number) => n * 4;
  return {
    slotOf,
    slots,
    peakBytes: bytes(slots.reduce((s, x) => s + x.size, 0)),
    unplannedBytes: bytes(temps.reduce((s, t) => s + t.size, 0)),
  };
}

/** Best fit among free slots of the same dtype; grow the largest if none fits; else a new slot. */
function takeSlot(slots: { dtype: DType; size: number }[], free: number[], t: TempReq): number {
  let best = -1;
  for (const [k, s] of free.entries()) {
    const slot = slots[s]!;
    if (slot.dtype !== t.dtype) continue;
    const cur = best >= 0 ? slots[free[best]!]! : null;
    const fits = slot.size >= t.size;
    if (
      !cur ||
      (fits && (cur.size < t.size || slot.size < cur.size)) ||
      (!fits && cur.size < t.size && slot.size > cur.size)
    ) {
      best = k;
    }
  }
  if (best >= 0) {
    const s = free.splice(best, 1)[0]!;
    slots[s]!.size = Math.max(slots[s]!.size, t.size);
    return s;
  }
  slots.push({ dtype: t.dtype, size: t.size });
  return slots.length - 1;
}
