// The memory plan: liveness of every temp over the step list, then greedy slot reuse, so a step
// allocates nothing and the peak is far below the sum of all intermediates.
import type { DType } from '../ir/dtype.ts';
import type { Step } from './kernel.ts';
import { stepReads, stepWrites } from './walk.ts';

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
  const free = new FreeSlots();
  const slotOf = new Map<string, number>();
  const dying = new Map<number, string[]>();
  for (const t of temps) {
    const end = t.pinned ? steps.length : (last.get(t.name) ?? first.get(t.name) ?? 0);
    const list = dying.get(end);
    if (list) list.push(t.name);
    else dying.set(end, [t.name]);
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
      if (s !== undefined) free.add(s, slots[s]!);
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
function takeSlot(slots: { dtype: DType; size: number }[], free: FreeSlots, t: TempReq): number {
  const s = free.take(t.dtype, t.size);
  if (s !== null) {
    slots[s]!.size = Math.max(slots[s]!.size, t.size);
    return s;
  }
  slots.push({ dtype: t.dtype, size: t.size });
  return slots.length - 1;
}

interface FreeSlot {
  readonly slot: number;
  readonly size: number;
  /** When it was freed: among equal sizes the earliest freed is taken. */
  readonly seq: number;
}

/**
 * Free slots per dtype, sorted by (size, when freed), so best fit is a binary search: a linear scan
 * of the free list per temp made the plan quadratic in graphs of 100k nodes.
 */
class FreeSlots {
  private readonly lists = new Map<DType, FreeSlot[]>();
  private seq = 0;

  add(slot: number, s: { readonly dtype: DType; readonly size: number }): void {
    const list = this.lists.get(s.dtype) ?? [];
    this.lists.set(s.dtype, list);
    const item = { slot, size: s.size, seq: this.seq++ };
    list.splice(lowerBound(list, item.size, item.seq), 0, item);
  }

  /** The smallest free slot of `dtype` that holds `size` (else the largest), or null. */
  take(dtype: DType, size: number): number | null {
    const list = this.lists.get(dtype);
    if (!list?.length) return null;
    let at = lowerBound(list, size, -1);
    if (at === list.length) at = lowerBound(list, list[list.length - 1]!.size, -1);
    return list.splice(at, 1)[0]!.slot;
  }
}

/** First index whose (size, seq) is not below (size, seq). */
function lowerBound(list: readonly FreeSlot[], size: number, seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = list[mid]!;
    if (m.size < size || (m.size === size && m.seq < seq)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
