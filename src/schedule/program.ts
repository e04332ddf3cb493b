// The stages between a fusion plan and a Program: lower each planned kernel, place the param
// updates (in place where safe, hoisted early), then assemble the flat, printable step list.
// src/pipeline.ts runs them in order; every renderer turns the Program into code.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import type { Expr } from './expr.ts';
import type { FusionPlan } from './fuse.ts';
import type { BufferInfo, Kernel, OutputInfo, Program, Step } from './kernel.ts';
import type { StoringKernel } from './kinds/index.ts';
import { kindOf } from './kinds/index.ts';
import { isOp } from '../ops/dispatch.ts';
import { lowerHead } from './lower.ts';
import type { MemoryPlan, TempReq } from './memory.ts';
import { kernelBaseName, kernelNotes, nodeName, UniqueNames } from './naming.ts';
import {
  ExprIds,
  kernelExprs,
  readsOf,
  stepReads,
  stepWrites,
  storeIndex,
  visit,
  writesOf,
} from './walk.ts';

/** Kernels in plan order, with every buffer they name. */
export interface LoweredProgram {
  readonly kernels: readonly Kernel[];
  /** Every buffer by name; placeUpdates removes the temps it writes in place of a param. */
  readonly buffers: Map<string, BufferInfo>;
  readonly nameOf: (n: Node) => string;
  readonly outputs: readonly OutputInfo[];
  /** Outputs that are params the step updates: copied before any kernel (see snapshotOutputs). */
  readonly snapshots: readonly Extract<Step, { kind: 'copy' }>[];
}

/** Stage: one kernel per planned group of heads, buffers named from the user's graph. */
export function lowerKernels(g: Graph, plan: FusionPlan): LoweredProgram {
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
    if (isOp(n, 'input') || isOp(n, 'param')) declare(n, n.op, n.attrs.name);
    else if (isOp(n, 'tensor')) declare(n, 'const', 'const', n.attrs.values);
  }
  // An unlabeled output is named by its output name (the loss kernel is `loss`, not `div_…`).
  const outputName = new Map<Node, string>();
  for (const [name, n] of g.outputs) if (!outputName.has(n)) outputName.set(n, name);
  const named = (n: Node) => nodeName(n) ?? outputName.get(n);
  for (const n of plan.heads) declare(n, 'temp', named(n) ?? (n.meta.scope || n.op));
  const nameOf = (n: Node) => bufOf.get(n)!;

  // Kernel names are taken head by head, in plan order, so a head's name does not depend on
  // whether it shares a loop.
  const kernels = plan.kernels.map((group) => {
    const siblings = new Map<Node, Expr>();
    const parts = group.map((head) => {
      const low = lowerHead(head, plan, nameOf, '', siblings);
      const name = kernelNames.take(kernelBaseName(head, low.nodes, named(head)));
      const fused = low.kernel.ops.length > 1 ? [`fuses ${low.kernel.ops.join(' → ')}`] : [];
      const kernel = { ...low.kernel, name, notes: [...fused, ...kernelNotes(low.nodes)] };
      if (group.length > 1 && 'stores' in kernel) siblings.set(head, kernel.stores[0]!.expr);
      return kernel;
    });
    return joinLoop(parts);
  });
  const { outputs, snapshots } = snapshotOutputs(g, nameOf, bufNames, buffers);
  return { kernels, buffers, nameOf, outputs, snapshots };
}

/**
 * Each output's buffer. An output that is a param the step updates (`out = p`, or a view the
 * optimizer folded into p) must show p before the update, as the interpreter does; the update
 * writes p's buffer, so the output gets a temp of its own, copied from p before any kernel runs.
 */
function snapshotOutputs(
  g: Graph,
  nameOf: (n: Node) => string,
  bufNames: UniqueNames,
  buffers: Map<string, BufferInfo>,
): { outputs: OutputInfo[]; snapshots: Extract<Step, { kind: 'copy' }>[] } {
  const snapshots: Extract<Step, { kind: 'copy' }>[] = [];
  const copyOf = new Map<Node, string>();
  const outputs = [...g.outputs].map(([name, n]): OutputInfo => {
    let buf = nameOf(n);
    if (isOp(n, 'param') && g.updates.has(n.attrs.name)) {
      if (!copyOf.has(n)) {
        const to = bufNames.take(name);
        buffers.set(to, { ...buffers.get(buf)!, name: to, role: 'temp', slot: -1 });
        snapshots.push({ kind: 'copy', from: buf, to, size: n.size });
        copyOf.set(n, to);
      }
      buf = copyOf.get(n)!;
    }
    return { name, buf, shape: n.shape, dtype: n.dtype };
  });
  return { outputs, snapshots };
}

/**
 * The kernels of one planned loop as one kernel: the first one's, with the others' stores. Only
 * elementwise loops of one shape share a loop (fuse.ts groupSiblings), so every part has stores.
 */
function joinLoop(parts: readonly Kernel[]): Kernel {
  const [host, ...rest] = parts as [Kernel, ...Kernel[]];
  if (rest.length === 0 || !('stores' in host)) return host;
  const more = rest as StoringKernel[];
  return {
    ...host,
    ops: [...host.ops, ...more.flatMap((k) => k.ops)],
    notes: [...host.notes, ...more.flatMap((k) => [`also computes ${k.name}:`, ...k.notes])],
    stores: [...host.stores, ...more.flatMap((k) => k.stores)],
  };
}

/** Stage: write each param's new value in place where safe (else copy at the end), then hoist. */
export function placeUpdates(
  g: Graph,
  low: LoweredProgram,
): { steps: Step[]; updates: Map<string, string> } {
  const steps: Step[] = [
    ...low.snapshots,
    ...low.kernels.map((kernel): Step => ({ kind: 'kernel', kernel })),
  ];
  const outputBufs = new Set(low.outputs.map((o) => o.buf));
  const updates = updateInPlace(g, steps, low.nameOf, low.buffers, outputBufs);
  hoistUpdates(
    steps,
    new Set([...g.params.values()].map((p) => low.nameOf(p.node))),
    (b) => low.buffers.get(b)?.size ?? 0,
  );
  return { steps, updates };
}

/** The temps the memory plan places (outputs stay live to the end). */
export function tempsOf(low: LoweredProgram): TempReq[] {
  const pinned = new Set(low.outputs.map((o) => o.buf));
  return [...low.buffers.values()]
    .filter((b) => b.role === 'temp')
    .map((t) => ({ name: t.name, dtype: t.dtype, size: t.size, pinned: pinned.has(t.name) }));
}

/** Stage: the Program every renderer consumes. */
export function assemble(
  g: Graph,
  plan: FusionPlan,
  low: LoweredProgram,
  placed: { readonly steps: readonly Step[]; readonly updates: ReadonlyMap<string, string> },
  mem: MemoryPlan,
): Program {
  const buffers = [...low.buffers.values()].map((b) =>
    b.role === 'temp' ? { ...b, slot: mem.slotOf.get(b.name) ?? -1 } : b,
  );
  return {
    name: g.name,
    buffers,
    steps: placed.steps,
    outputs: low.outputs,
    updates: placed.updates,
    slots: mem.slots,
    stats: {
      kernels: placed.steps.filter((s) => s.kind === 'kernel').length,
      peakBytes: mem.peakBytes,
      unplannedBytes: mem.unplannedBytes,
      fusionNotes: plan.notes,
    },
  };
}

/** Write each param's new value in place when nothing later reads the old one; else copy at the end. */
function updateInPlace(
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
      const k = (steps[at] as { kernel: StoringKernel }).kernel;
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
  if (s.kind !== 'kernel' || !('stores' in s.kernel) || outputBufs.has(ubuf)) return false;
  const k = s.kernel;
  // Operands read outside the stores' index (a matmul's A and B) would see partial updates.
  if (kindOf(k).operands(k).includes(pbuf)) return false;
  const ids = new ExprIds();
  const id = ids.of(storeIndex(k));
  let ok = true;
  visit(kernelExprs(k), (e) => {
    if (e.k === 'load' && (e.buf === ubuf || (e.buf === pbuf && ids.of(e.at) !== id))) ok = false;
  });
  for (const later of steps.slice(at + 1)) {
    const r = stepReads(later);
    if (r.has(pbuf) || r.has(ubuf)) ok = false;
  }
  return ok;
}

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
