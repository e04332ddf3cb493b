// Lowering: turn each kernel head of the fusion plan into a kernel of the kernel IR, inlining
// every non-materialized producer as a scalar expression over the loop indices.
import type { Node } from '../ir/node.ts';
import { opError } from '../ir/errors.ts';
import { isOp, lowerExpr, reduceOf, scanOf } from '../ops/dispatch.ts';
import type { LowerCtx } from '../ops/def.ts';
import * as E from './expr.ts';
import type { Expr } from './expr.ts';
import type { FusionPlan } from './fuse.ts';
import { lowerKind } from './fuse.ts';
import type {
  Kernel,
  MatmulKernel,
  ReduceKernel,
  ScanKernel,
  ScatterKernel,
  Store,
} from './kernel.ts';
import { matmulView, stridedOf } from './views.ts';
import { ExprIds, scanIndex } from './walk.ts';

/** Inlines producers into one kernel body; memoized so shared subexpressions stay shared. */
class Inliner {
  private readonly memo = new Map<string, Expr>();
  private readonly ids = new ExprIds();
  readonly ops: string[] = [];
  readonly inlined = new Set<Node>();

  constructor(
    private readonly plan: FusionPlan,
    private readonly bufOf: (n: Node) => string,
    private readonly accFor: Node | null,
    /** Heads computed earlier in the same loop (the plan only groups element-wise readers). */
    private readonly siblings: ReadonlyMap<Node, Expr>,
  ) {}

  value(n: Node, idx: readonly Expr[]): Expr {
    if (n === this.accFor) return E.accOf(n.dtype);
    const sibling = this.siblings.get(n);
    if (sibling) return sibling;
    if (this.plan.materialized.has(n)) {
      return E.load(this.bufOf(n), E.flatIndex(idx, n.shape), n.dtype);
    }
    // Small key: the node and the structural ids of its index expressions.
    const key = `${n.id}:${idx.map((e) => this.ids.of(e)).join(',')}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    if (!this.inlined.has(n)) {
      this.inlined.add(n);
      this.ops.push(n.op);
    }
    const ctx: LowerCtx = { node: n, idx, input: (i, at) => this.value(n.inputs[i]!, at) };
    const expr = lowerExpr(n, ctx);
    if (!expr) throw new Error(`internal: ${n.op} must have a buffer`);
    this.memo.set(key, expr);
    return expr;
  }

  /** The expression of a kernel head itself (bypassing its own buffer). */
  head(n: Node, idx: readonly Expr[]): Expr {
    if (n === this.accFor) return E.accOf(n.dtype);
    this.ops.push(n.op);
    this.inlined.add(n);
    const ctx: LowerCtx = { node: n, idx, input: (i, at) => this.value(n.inputs[i]!, at) };
    const expr = lowerExpr(n, ctx);
    if (!expr) throw new Error(`internal: ${n.op} is not an expression`);
    return expr;
  }
}

const vars = (prefix: string, n: number): Expr[] =>
  Array.from({ length: n }, (_, i) => E.ivar(`${prefix}${i}`));

export interface Lowered {
  readonly kernel: Kernel;
  /** The nodes computed inside the kernel (for names and provenance notes). */
  readonly nodes: readonly Node[];
}

/** Lower one kernel head; `siblings` are the values of earlier heads of the same loop. */
export function lowerHead(
  head: Node,
  plan: FusionPlan,
  bufOf: (n: Node) => string,
  name: string,
  siblings: ReadonlyMap<Node, Expr> = new Map(),
): Lowered {
  const anchor = plan.anchorOf.get(head) ?? null;
  const kind = anchor ? lowerKind(anchor) : lowerKind(head);
  const inl = new Inliner(plan, bufOf, anchor, siblings);
  const buf = bufOf(head);
  const base = { name, notes: [] as string[], ops: inl.ops };
  let kernel: Kernel;
  if (kind === 'matmul') kernel = lowerMatmul(anchor!, head, inl, buf, plan, bufOf, base);
  else if (kind === 'reduce') kernel = lowerReduce(anchor!, head, inl, buf, base);
  else if (kind === 'scan') kernel = lowerScan(head, inl, buf, base);
  else if (kind === 'scatter') kernel = lowerScatter(head, bufOf, base);
  else {
    const idx = vars('i', head.rank);
    kernel = {
      kind: 'map',
      ...base,
      shape: head.shape,
      stores: [{ buf, expr: inl.head(head, idx) }],
    };
  }
  const nodes = [...new Set([...(anchor ? [anchor] : []), ...inl.inlined])].sort(
    (p, q) => p.id - q.id,
  );
  return { kernel: { ...kernel, ops: nodes.map((n) => n.op) }, nodes };
}

type Base = { name: string; notes: string[]; ops: string[] };

function epilogue(
  anchor: Node,
  head: Node,
  inl: Inliner,
  buf: string,
  idx: readonly Expr[],
): Store[] {
  return [{ buf, expr: head === anchor ? E.accOf(anchor.dtype) : inl.head(head, idx) }];
}

function lowerMatmul(
  mm: Node,
  head: Node,
  inl: Inliner,
  buf: string,
  plan: FusionPlan,
  bufOf: (n: Node) => string,
  base: Base,
): MatmulKernel {
  inl.ops.push('matmul');
  const [a, b] = mm.inputs as [Node, Node];
  const r = mm.rank;
  const view = (x: Node) => {
    const s = stridedOf(x, (y) => plan.materialized.has(y) && y !== mm);
    const v = s && matmulView(s, x.shape, bufOf(s.base));
    // planFusion copies every other operand into a buffer, so this is a compiler bug: still say
    // which matmul of the user's it was.
    if (!v) {
      const detail = `internal: operand ${x.op} is not a strided view`;
      throw opError('graph', 'matmul', detail, [a.shape, b.shape], mm.meta.site);
    }
    return v;
  };
  const batchShape = mm.shape.slice(0, r - 2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const bv = batch === 1 ? E.int(0) : E.ivar('b');
  const idx = headIndex([...E.unflatIndex(bv, batchShape), E.ivar('i'), E.ivar('j')], mm, head);
  return {
    kind: 'matmul',
    ...base,
    batch,
    m: mm.shape[r - 2]!,
    n: mm.shape[r - 1]!,
    k: a.shape[r - 1]!,
    a: view(a),
    b: view(b),
    stores: epilogue(mm, head, inl, buf, idx),
  };
}

/**
 * The index of a matmul's epilogue head at the matmul's index `idx`: the same flat position when
 * the epilogue passed a reshape, with the axes both shapes end in kept as they are.
 */
function headIndex(idx: readonly Expr[], mm: Node, head: Node): readonly Expr[] {
  const [from, to] = [mm.shape, head.shape];
  let same = 0;
  while (same < Math.min(from.length, to.length) && from.at(-1 - same) === to.at(-1 - same)) {
    same++;
  }
  if (same === from.length && same === to.length) return idx;
  const [lead, kept] = [from.length - same, idx.slice(idx.length - same)];
  const flat = E.flatIndex(idx.slice(0, lead), from.slice(0, lead));
  return [...E.unflatIndex(flat, to.slice(0, to.length - same)), ...kept];
}

function lowerReduce(red: Node, head: Node, inl: Inliner, buf: string, base: Base): ReduceKernel {
  inl.ops.push(red.op);
  const r = reduceOf(red);
  if (!r) throw new Error(`internal: ${red.op} is not reduce-like`);
  const axes = r.axes;
  const x = red.inputs[0]!;
  const o = vars('o', red.rank);
  const rv = vars('r', axes.length);
  let ko = 0;
  let kr = 0;
  const full = x.shape.map((_, d) => (axes.includes(d) ? rv[kr++]! : o[ko++]!));
  return {
    kind: 'reduce',
    ...base,
    op: r.acc,
    outShape: red.shape,
    redShape: axes.map((d) => x.shape[d]!),
    value: inl.value(x, full),
    stores: epilogue(red, head, inl, buf, o),
  };
}

function lowerScan(n: Node, inl: Inliner, buf: string, base: Base): ScanKernel {
  inl.ops.push(n.op);
  const s = scanOf(n);
  if (!s) throw new Error(`internal: ${n.op} is not a scan`);
  const value = inl.value(n.inputs[0]!, scanIndex(n.rank, s.axis));
  return {
    kind: 'scan',
    ...base,
    op: 'sum',
    shape: n.shape,
    ...s,
    value,
    stores: [{ buf, expr: E.accOf(n.dtype) }],
  };
}

function lowerScatter(n: Node, bufOf: (n: Node) => string, base: Base): ScatterKernel {
  const [u, i] = n.inputs as [Node, Node];
  if (!isOp(n, 'scatter_add')) throw new Error(`internal: ${n.op} is not scatter_add`);
  const { axis, size } = n.attrs;
  const pre = n.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const post = n.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  base.ops.push('scatter_add');
  return {
    kind: 'scatter',
    ...base,
    out: bufOf(n),
    updates: bufOf(u),
    indices: bufOf(i),
    pre,
    count: i.size,
    post,
    size,
  };
}
