// schedule(graph): fusion plan → kernels → sibling merging → in-place updates → memory plan.
// The result is a flat, printable step list that every renderer turns into code.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import * as E from './expr.ts';
import { planFusion } from './fuse.ts';
import type { BufferInfo, Kernel, MapKernel, OutputInfo, Program, Step } from './kernel.ts';
import { lowerHead } from './lower.ts';
import { planMemory } from './memory.ts';
import { kernelBaseName, kernelNotes, nodeName, UniqueNames } from './naming.ts';
import { kernelExprs, mapExpr, readsOf, storeIndex, visit, writesOf } from './walk.ts';

/** How far back a map kernel may move to join a sibling (keeps scheduling linear). */
const MERGE_WINDOW = 12;

export function schedule(g: Graph): Program {
  const plan = planFusion(g);
  const bufNames = new UniqueNames();
  const kernelNames = new UniqueNames();
  const bufOf = new Map<Node, string>();
  const buffers = new Map<string, BufferInfo>();
  const declare = (n: Node, role: BufferInfo['role'], base: string, values?: readonly number[]) => {
    const name = bufNames.take(base);
    bufOf.set(n, name);
    buffers.set(name, {
      name,
      role,
      dtype: n.dtype,
      size: n.size,
      shape: n.shape,
      slot: -1,
      values,
    });
  };
  for (const n of plan.order) {
    const a = n.attrs as { name?: string; values?: readonly number[] };
    if (n.op === 'input') declare(n, 'input', a.name!);
    else if (n.op === 'param') declare(n, 'param', a.name!);
    else if (n.op === 'tensor') declare(n, 'const', 'const', a.values);
  }
  for (const n of plan.heads) declare(n, 'temp', nodeName(n) ?? (n.meta.scope || n.op));
  const nameOf = (n: Node) => bufOf.get(n)!;

  let kernels: Kernel[] = plan.heads.map((head) => {
    const low = lowerHead(head, plan, nameOf, '');
    const name = kernelNames.take(kernelBaseName(head, low.nodes));
    const fused = low.kernel.ops.length > 1 ? [`fuses ${low.kernel.ops.join(' → ')}`] : [];
    return { ...low.kernel, name, notes: [...fused, ...kernelNotes(low.nodes)] };
  });
  kernels = mergeSiblings(kernels);
  const steps: Step[] = kernels.map((kernel) => ({ kind: 'kernel', kernel }));
  const outputs: OutputInfo[] = [...g.outputs].map(([name, n]) => ({
    name,
    buf: nameOf(n),
    shape: n.shape,
    dtype: n.dtype,
  }));
  const updates = placeUpdates(g, steps, nameOf, buffers, new Set(outputs.map((o) => o.buf)));
  hoistUpdates(
    steps,
    new Set([...g.params.values()].map((p) => nameOf(p.node))),
    (b) => buffers.get(b)?.size ?? 0,
  );
  const temps = [...buffers.values()].filter((b) => b.role === 'temp');
  const pinned = new Set(outputs.map((o) => o.buf));
  const mem = planMemory(
    steps,
    temps.map((t) => ({ name: t.name, dtype: t.dtype, size: t.size, pinned: pinned.has(t.name) })),
  );
  const finalBuffers = [...buffers.values()].map((b) =>
    b.role === 'temp' ? { ...b, slot: mem.slotOf.get(b.name) ?? -1 } : b,
  );
  return {
    name: g.name,
    buffers: finalBuffers,
    steps,
    outputs,
    updates,
    slots: mem.slots,
    stats: {
      kernels: steps.filter((s) => s.kind === 'kernel').length,
      peakBytes: mem.peakBytes,
      unplannedBytes: mem.unplannedBytes,
      fusionNotes: plan.notes,
    },
  };
}

const identityKey = (k: MapKernel) =>
  JSON.stringify(
    E.flatIndex(
      k.shape.map((_, i) => E.ivar(`i${i}`)),
      k.shape,
    ),
  );

/** Merge same-shape map kernels into one loop; loads of a sibling's store reuse its value. */
function mergeSiblings(kernels: readonly Kernel[]): Kernel[] {
  const out: Kernel[] = [];
  for (const k of kernels) {
    const at = k.kind === 'map' ? findSibling(out, k) : -1;
    if (at < 0) {
      out.push(k);
      continue;
    }
    const host = out[at] as MapKernel;
    const km = k as MapKernel;
    const id = identityKey(host);
    const stored = new Map(host.stores.map((s) => [s.buf, s.expr]));
    const memo = new Map<E.Expr, E.Expr>();
    const subst = (e: E.Expr) =>
      mapExpr(
        e,
        (x) => (x.k === 'load' && JSON.stringify(x.at) === id ? (stored.get(x.buf) ?? null) : null),
        memo,
      );
    out[at] = {
      ...host,
      name: host.name,
      ops: [...host.ops, ...km.ops],
      notes: [...host.notes, `also computes ${km.name}:`, ...km.notes],
      stores: [...host.stores, ...km.stores.map((s) => ({ buf: s.buf, expr: subst(s.expr) }))],
    };
  }
  return out;
}

function findSibling(out: readonly Kernel[], k: MapKernel): number {
  const reads = readsOf(k);
  for (let i = out.length - 1; i >= Math.max(0, out.length - MERGE_WINDOW); i--) {
    const c = out[i]!;
    if (c.kind === 'map' && c.shape.join() === k.shape.join() && loadsOk(c, k)) return i;
    // k may only move above kernels that do not produce what it reads.
    for (const w of writesOf(c)) if (reads.has(w)) return -1;
  }
  return -1;
}

/** k may join host only if it reads host's outputs at the same element. */
function loadsOk(host: MapKernel, k: MapKernel): boolean {
  const written = writesOf(host);
  const id = identityKey(host);
  let ok = true;
  visit(kernelExprs(k), (e) => {
    if (e.k === 'load' && written.has(e.buf) && JSON.stringify(e.at) !== id) ok = false;
  });
  return ok;
}

/** Write each param's new value in place when nothing later reads the old one; else copy at the end. */
function placeUpdates(
  g: Graph,
  steps: Step[],
  nameOf: (n: Node) => string,
  buffers: Map<string, BufferInfo>,
  outputBufs: ReadonlySet<string>,
): Map<string, string> {
  const updates = new Map<string, string>();
  for (const [param, node] of g.updates) {
    const pbuf = nameOf(g.params.get(param)!.node);
    const ubuf = nameOf(node);
    if (ubuf === pbuf) continue;
    const at = steps.findIndex((s) => s.kind === 'kernel' && writesOf(s.kernel).has(ubuf));
    if (
      at >= 0 &&
      buffers.get(ubuf)?.role === 'temp' &&
      canWriteInPlace(steps, at, ubuf, pbuf, outputBufs)
    ) {
      const k = (steps[at] as { kernel: Exclude<Kernel, { kind: 'scatter' }> }).kernel;
      const stores = k.stores.map((s) => (s.buf === ubuf ? { ...s, buf: pbuf } : s));
      steps[at] = { kind: 'kernel', kernel: { ...k, stores } as Kernel };
      buffers.delete(ubuf);
      updates.set(param, pbuf);
    } else {
      steps.push({ kind: 'copy', from: ubuf, to: pbuf, size: node.size });
      updates.set(param, ubuf);
    }
  }
  return updates;
}

function canWriteInPlace(
  steps: readonly Step[],
  at: number,
  ubuf: string,
  pbuf: string,
  outputBufs: ReadonlySet<string>,
): boolean {
  const s = steps[at]!;
  if (s.kind !== 'kernel' || s.kernel.kind === 'scatter' || outputBufs.has(ubuf)) return false;
  const k = s.kernel;
  if (k.kind === 'matmul' && (k.a.buf === pbuf || k.b.buf === pbuf)) return false;
  const id = JSON.stringify(storeIndex(k));
  let ok = true;
  visit(kernelExprs(k), (e) => {
    if (e.k === 'load' && (e.buf === ubuf || (e.buf === pbuf && JSON.stringify(e.at) !== id)))
      ok = false;
  });
  for (const later of steps.slice(at + 1)) {
    const r = later.kind === 'kernel' ? readsOf(later.kernel) : new Set([later.from]);
    if (r.has(pbuf) || r.has(ubuf)) ok = false;
  }
  return ok;
}

const stepReads = (s: Step) => (s.kind === 'kernel' ? readsOf(s.kernel) : new Set([s.from]));
const stepWrites = (s: Step) => (s.kind === 'kernel' ? writesOf(s.kernel) : new Set([s.to]));

/** An update kernel may also produce a few small temps (e.g. Adam's bias corrections). */
const HOIST_MAX_TEMP = 1024;

/**
 * Move each kernel that updates params in place up to just after the last step it depends on
 * (or that still reads the old values), so gradients die early and their memory is reused.
 */
function hoistUpdates(
  steps: Step[],
  paramBufs: ReadonlySet<string>,
  sizeOf: (buf: string) => number,
): void {
  for (let at = 0; at < steps.length; at++) {
    const s = steps[at]!;
    if (s.kind !== 'kernel') continue;
    const writes = writesOf(s.kernel);
    const temps = [...writes].filter((b) => !paramBufs.has(b));
    if (temps.length === writes.size) continue;
    if (temps.reduce((n, b) => n + sizeOf(b), 0) > HOIST_MAX_TEMP) continue;
    const reads = readsOf(s.kernel);
    let earliest = 0;
    for (let i = at - 1; i >= 0; i--) {
      const o = steps[i]!;
      const clash =
        [...stepWrites(o)].some((b) => reads.has(b) || writes.has(b)) ||
        [...stepReads(o)].some((b) => writes.has(b));
      if (clash) {
        earliest = i + 1;
        break;
      }
    }
    if (earliest < at) {
      steps.splice(at, 1);
      steps.splice(earliest, 0, s);
    }
  }
}
