// One TypeScript function per kernel: loop nests specialized to the shapes, bodies from the
// kernel IR. Matmuls pick a loop order from the operands' strides (rows or dot products).
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type {
  Kernel,
  MapKernel,
  MatmulKernel,
  ReduceKernel,
  ScatterKernel,
  Store,
  StridedView,
} from '../../src/schedule/kernel.ts';
import { readsOf, storeIndex, writesOf } from '../../src/schedule/walk.ts';
import { renderExprs, storeValue } from './expr.ts';

export interface KernelText {
  /** Module-level declarations the kernel needs (scratch rows, allocated once). */
  readonly setup: string[];
  readonly params: string[];
  readonly body: string[];
}

type Names = (buf: string) => string;

/** Buffers a kernel touches, in a stable order: reads, then writes. */
export function kernelBuffers(k: Kernel): string[] {
  const out: string[] = [];
  for (const b of [...readsOf(k), ...writesOf(k)]) if (!out.includes(b)) out.push(b);
  return out;
}

function loops(vars: readonly string[], shape: readonly number[], body: string[]): string[] {
  let lines = body;
  for (let d = shape.length - 1; d >= 0; d--) {
    const v = vars[d]!;
    lines = [`for (let ${v} = 0; ${v} < ${shape[d]}; ${v}++) {`, ...lines, '}'];
  }
  return lines;
}

/** Stores at `at` (the same flat index for every store of the kernel). */
function storeLines(stores: readonly Store[], at: Expr, names: Names, prefix = 't'): string[] {
  const r = renderExprs([...stores.map((s) => s.expr), at], names, prefix);
  const idx = r.roots[stores.length]!;
  return [
    ...r.temps,
    ...stores.map((s, i) => `${names(s.buf)}[${idx}] = ${storeValue(r.roots[i]!, s.expr.t)};`),
  ];
}

const ivars = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);

function mapBody(k: MapKernel, names: Names): string[] {
  return loops(ivars('i', k.shape.length), k.shape, storeLines(k.stores, storeIndex(k), names));
}

function reduceBody(k: ReduceKernel, names: Names): string[] {
  const o = ivars('o', k.outShape.length);
  const r = ivars('r', k.redShape.length);
  const v = renderExprs([k.value], names, 'u');
  const fold = k.op === 'sum' ? `acc += ${v.roots[0]};` : `acc = Math.max(acc, ${v.roots[0]});`;
  const init = k.op === 'sum' ? '0' : '-Infinity';
  const at = E.flatIndex(o.map(E.ivar), k.outShape);
  const inner = [
    `let acc = ${init};`,
    ...loops(r, k.redShape, [...v.temps, fold]),
    ...storeLines(k.stores, at, names),
  ];
  return loops(o, k.outShape, inner);
}

function viewAt(v: StridedView, b: Expr, row: Expr, col: Expr): Expr {
  const term = (x: Expr, s: number) => E.imul(x, E.int(s));
  return E.iadd(
    E.iadd(E.int(v.offset), term(b, v.batchStride)),
    E.iadd(term(row, v.rowStride), term(col, v.colStride)),
  );
}

function matmulBody(k: MatmulKernel, names: Names, scratch: string): string[] {
  const [i, j, p] = ['i', 'j', 'p'].map(E.ivar) as [Expr, Expr, Expr];
  const b = k.batch === 1 ? E.int(0) : E.ivar('b');
  const idx = (e: Expr) => renderExprs([e], names).roots[0]!;
  const A = names(k.a.buf);
  const B = names(k.b.buf);
  const epi = storeLines(k.stores, storeIndex(k), names);
  const rows = k.b.colStride === 1 || k.b.rowStride !== 1;
  let perRow: string[];
  if (rows) {
    // Row form (i-k-j): the inner loop walks a row of B; partial sums in a float64 row.
    const aAt = idx(viewAt(k.a, b, i, p));
    const bBase = idx(viewAt(k.b, b, p, E.int(0)));
    const bj = k.b.colStride === 1 ? 'bRow + j' : `bRow + j * ${k.b.colStride}`;
    perRow = [
      `${scratch}.fill(0);`,
      `for (let p = 0; p < ${k.k}; p++) {`,
      `const av = ${A}[${aAt}];`,
      `const bRow = ${bBase};`,
      `for (let j = 0; j < ${k.n}; j++) ${scratch}[j] += av * ${B}[${bj}];`,
      '}',
      `for (let j = 0; j < ${k.n}; j++) {`,
      `const acc = ${scratch}[j];`,
      ...epi,
      '}',
    ];
  } else {
    // Dot form (i-j-k): B is transposed, so a column of B is contiguous.
    perRow = [
      `for (let j = 0; j < ${k.n}; j++) {`,
      'let acc = 0;',
      `for (let p = 0; p < ${k.k}; p++) acc += ${A}[${idx(viewAt(k.a, b, i, p))}] * ${B}[${idx(viewAt(k.b, b, p, j))}];`,
      ...epi,
      '}',
    ];
  }
  return k.batch === 1 ? loops(['i'], [k.m], perRow) : loops(['b', 'i'], [k.batch, k.m], perRow);
}

function scatterBody(k: ScatterKernel, names: Names): string[] {
  const [out, upd, ix] = [names(k.out), names(k.updates), names(k.indices)];
  return [
    `${out}.fill(0, 0, ${k.pre * k.size * k.post});`,
    ...loops(
      ['p', 'j', 'q'],
      [k.pre, k.count, k.post],
      [
        `const at = Math.min(Math.max(${ix}[j], 0), ${k.size - 1});`,
        `${out}[(p * ${k.size} + at) * ${k.post} + q] += ${upd}[(p * ${k.count} + j) * ${k.post} + q];`,
      ],
    ),
  ];
}

export function renderKernel(k: Kernel, names: Names, scratchName: string): KernelText {
  const params = kernelBuffers(k).map(names);
  switch (k.kind) {
    case 'map':
      return { setup: [], params, body: mapBody(k, names) };
    case 'reduce':
      return { setup: [], params, body: reduceBody(k, names) };
    case 'matmul':
      return {
        setup: [`const ${scratchName} = new Float64Array(${k.n});`],
        params,
        body: matmulBody(k, names, scratchName),
      };
    case 'scatter':
      return { setup: [], params, body: scatterBody(k, names) };
  }
}
