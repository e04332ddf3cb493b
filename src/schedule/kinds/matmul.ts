// The matmul kernel: C[b] = A[b]·B[b] over strided views of the operands' buffers, with an
// epilogue of elementwise steps on the accumulator. The `matmul` op lowers to it.
import { opError } from '../../ir/errors.ts';
import type { Node } from '../../ir/node.ts';
import * as E from '../expr.ts';
import type { Store, StridedView } from '../kernel.ts';
import { matmulView, stridedOf } from '../views.ts';
import type { KernelBase, KindDef, LowerIn } from './kind.ts';

/** The op table's fact for the matmul op. */
export interface MatmulFact {
  readonly kind: 'matmul';
}

/** C[b] = A[b] · B[b] with the epilogue stores at (b, i, j) seeing acc; vars b, i, j. */
export interface MatmulKernel extends KernelBase {
  readonly kind: 'matmul';
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: StridedView;
  readonly b: StridedView;
  readonly stores: readonly Store[];
}

function lower(x: LowerIn): Omit<MatmulKernel, keyof KernelBase> {
  const mm = x.node;
  const [a, b] = mm.inputs as [Node, Node];
  const r = mm.rank;
  const view = (v: Node) => {
    const s = stridedOf(v, (y) => x.plan.materialized.has(y) && y !== mm);
    const sv = s && matmulView(s, v.shape, x.bufOf(s.base));
    // planFusion copies every other operand into a buffer, so this is a compiler bug: still say
    // which matmul of the user's it was.
    if (!sv) {
      const detail = `internal: operand ${v.op} is not a strided view`;
      throw opError('graph', 'matmul', detail, [a.shape, b.shape], mm.meta.site);
    }
    return sv;
  };
  const batchShape = mm.shape.slice(0, r - 2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const bv = batch === 1 ? E.int(0) : E.ivar('b');
  const idx = headIndex([...E.unflatIndex(bv, batchShape), E.ivar('i'), E.ivar('j')], mm, x.head);
  return {
    kind: 'matmul',
    batch,
    m: mm.shape[r - 2]!,
    n: mm.shape[r - 1]!,
    k: a.shape[r - 1]!,
    a: view(a),
    b: view(b),
    stores: x.stores(idx),
  };
}

/**
 * The index of a matmul's epilogue head at the matmul's index `idx`: the same flat position when
 * the epilogue passed a reshape, with the axes both shapes end in kept as they are.
 */
function headIndex(idx: readonly E.Expr[], mm: Node, head: Node): readonly E.Expr[] {
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

export const matmul: KindDef<MatmulKernel> = {
  lower,
  exprs: (k) => k.stores.map((s) => s.expr),
  operands: (k) => [k.a.buf, k.b.buf],
  writes: (k) => k.stores.map((s) => s.buf),
  storeIndex: (k) => {
    const b = k.batch === 1 ? E.int(0) : E.ivar('b');
    const row = E.iadd(E.imul(E.ivar('i'), E.int(k.n)), E.ivar('j'));
    return E.iadd(E.imul(b, E.int(k.m * k.n)), row);
  },
  work: (k) => k.batch * k.m * k.n * k.k,
  shape: (k) => `${k.batch > 1 ? `${k.batch}×` : ''}[${k.m},${k.k}]·[${k.k},${k.n}]`,
  epilogue: true,
  epiloguePastReshape: true,
};
