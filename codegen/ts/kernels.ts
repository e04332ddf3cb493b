// One TypeScript function per kernel: loop nests specialized to the shapes, bodies from the
// kernel IR. Matmuls pick a loop order from the operands' strides (rows or dot products).
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { Kernel, Store, StridedView } from '../../src/schedule/kernel.ts';
import { entryOf } from '../../src/schedule/kinds/index.ts';
import type { KernelOf, KindTable } from '../../src/schedule/kinds/index.ts';
import { batchTerms } from '../../src/schedule/kernel.ts';
import { readsOf, storeIndex, writesOf } from '../../src/schedule/walk.ts';
import { renderExprs, storeValue } from './expr.ts';

export interface KernelText {
  /** Module-level declarations the kernel needs (scratch rows, allocated once). */
  readonly setup: string[];
  readonly params: string[];
  readonly body: string[];
}

type Names = (buf: string) => string;

/** Module-level scratch array names for one kernel (unique in the module). */
export interface Scratch {
  readonly row: string;
  readonly a: string;
  readonly b: string;
  readonly tile: string;
}

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

function mapBody(k: KernelOf<'map'>, names: Names): string[] {
  return loops(ivars('i', k.shape.length), k.shape, storeLines(k.stores, storeIndex(k), names));
}

function reduceBody(k: KernelOf<'reduce'>, names: Names): string[] {
  const o = ivars('o', k.outShape.length);
  const r = ivars('r', k.redShape.length);
  const v = renderExprs([k.value], names, 'u');
  // An i32 sum wraps at every step, so an epilogue reading acc sees int32 (as the store does).
  const fold =
    k.op === 'max'
      ? `acc = Math.max(acc, ${v.roots[0]});`
      : k.value.t === 'i32'
        ? `acc = (acc + ${v.roots[0]}) | 0;`
        : `acc += ${v.roots[0]};`;
  const init = k.op === 'sum' ? '0' : '-Infinity';
  const at = E.flatIndex(o.map(E.ivar), k.outShape);
  const inner = [
    `let acc = ${init};`,
    ...loops(r, k.redShape, [...v.temps, fold]),
    ...storeLines(k.stores, at, names),
  ];
  return loops(o, k.outShape, inner);
}

/** One row at a time: the inner loop walks the scanned axis once, so the work is O(n) per row. */
function scanBody(k: KernelOf<'scan'>, names: Names): string[] {
  const o = ivars('o', k.shape.length - 1);
  const n = k.shape[k.axis]!;
  const v = renderExprs([k.value], names, 'u');
  // An i32 scan wraps like int32 (as wasm's i32.add and WGSL's i32 do), never rounding as a float.
  const add = k.value.t === 'i32' ? `acc = (acc + ${v.roots[0]}) | 0;` : `acc += ${v.roots[0]};`;
  const walk = k.reverse
    ? `for (let r0 = ${n - 1}; r0 >= 0; r0--) {`
    : `for (let r0 = 0; r0 < ${n}; r0++) {`;
  const inner = [
    'let acc = 0;',
    walk,
    ...v.temps,
    add,
    ...storeLines(k.stores, storeIndex(k), names),
    '}',
  ];
  return loops(
    o,
    k.shape.filter((_, d) => d !== k.axis),
    inner,
  );
}

function viewAt(v: StridedView, b: Expr, row: Expr, col: Expr): Expr {
  const term = (x: Expr, s: number) => E.imul(x, E.int(s));
  const batch = batchTerms(v).reduce((sum: Expr, t) => {
    const q = E.idiv(b, t.div);
    return E.iadd(sum, term(t.mod ? E.imod(q, t.mod) : q, t.stride));
  }, E.int(0));
  return E.iadd(
    E.iadd(E.int(v.offset), batch),
    E.iadd(term(row, v.rowStride), term(col, v.colStride)),
  );
}

/**
 * Small matmuls use the row form (which also skips zero entries of A): packing panels only pays
 * off when every dimension is large enough to reuse them.
 */
const blocked = (k: KernelOf<'matmul'>) =>
  k.m >= 16 && k.k >= 16 && k.n >= 8 && k.m * k.n * k.k >= 32768;

function matmulBody(k: KernelOf<'matmul'>, names: Names, scratch: Scratch): string[] {
  const [i, j, p] = ['i', 'j', 'p'].map(E.ivar) as [Expr, Expr, Expr];
  const b = k.batch === 1 ? E.int(0) : E.ivar('b');
  const idx = (e: Expr) => renderExprs([e], names).roots[0]!;
  const A = names(k.a.buf);
  const B = names(k.b.buf);
  const epi = storeLines(k.stores, storeIndex(k), names);
  const batched = (body: string[]) => (k.batch === 1 ? body : loops(['b'], [k.batch], body));
  if (blocked(k)) {
    return batched(
      blockedBody(k, A, B, scratch, idx(viewAt(k.a, b, i, p)), idx(viewAt(k.b, b, p, j)), epi),
    );
  }
  let perRow: string[];
  if (rowForm(k)) {
    // Row form (i-k-j): the inner loop walks a row of B; partial sums in a float64 row.
    // Zero entries of A (common: ReLU outputs, image backgrounds) skip a whole row of work.
    const bj = k.b.colStride === 1 ? 'bRow + j' : `bRow + j * ${k.b.colStride}`;
    perRow = [
      `${scratch.row}.fill(0);`,
      `for (let p = 0; p < ${k.k}; p++) {`,
      `const av = ${A}[${idx(viewAt(k.a, b, i, p))}];`,
      'if (av === 0) continue;',
      `const bRow = ${idx(viewAt(k.b, b, p, E.int(0)))};`,
      `for (let j = 0; j < ${k.n}; j++) ${scratch.row}[j] += av * ${B}[${bj}];`,
      '}',
      `for (let j = 0; j < ${k.n}; j++) {`,
      `const acc = ${scratch.row}[j];`,
      ...epi,
      '}',
    ];
  } else {
    // Dot form (i-j-k): B is transposed, so a column of B is contiguous.
    const dot = `${A}[${idx(viewAt(k.a, b, i, p))}] * ${B}[${idx(viewAt(k.b, b, p, j))}]`;
    perRow = [
      `for (let j = 0; j < ${k.n}; j++) {`,
      'let acc = 0;',
      `for (let p = 0; p < ${k.k}; p++) acc += ${dot};`,
      ...epi,
      '}',
    ];
  }
  return batched(loops(['i'], [k.m], perRow));
}

/** The row form walks rows of B; a transposed B (contiguous columns) uses dot products. */
function rowForm(k: KernelOf<'matmul'>): boolean {
  return k.b.colStride === 1 || k.b.rowStride !== 1;
}

/** Scratch arrays a matmul kernel needs, allocated once at module load. */
function matmulSetup(k: KernelOf<'matmul'>, scratch: Scratch): string[] {
  if (!blocked(k)) {
    return rowForm(k) ? [`const ${scratch.row} = new Float64Array(${k.n});`] : [];
  }
  const np = Math.ceil(k.n / 4) * 4;
  return [
    `const ${scratch.a} = new Float64Array(${k.k * 4});`,
    `const ${scratch.b} = new Float64Array(${k.k * np});`,
    `const ${scratch.tile} = new Float64Array(16);`,
  ];
}

/**
 * Register-blocked form: B is packed once into 4-column panels and each 4-row strip of A into a
 * panel, then every 4×4 block of C accumulates in 16 locals (values stay in registers).
 */
function blockedBody(
  k: KernelOf<'matmul'>,
  A: string,
  B: string,
  scratch: Scratch,
  aAt: string,
  bAt: string,
  epi: string[],
): string[] {
  const np = Math.ceil(k.n / 4) * 4;
  const R = [0, 1, 2, 3];
  const cells = R.flatMap((r) => R.map((c) => `c${r}${c}`));
  return [
    '// Pack B into panels of 4 columns (zero-padded past the last column).',
    `for (let j0 = 0; j0 < ${np}; j0 += 4) {`,
    `for (let p = 0; p < ${k.k}; p++) {`,
    'for (let c = 0; c < 4; c++) {',
    'const j = j0 + c;',
    `${scratch.b}[j0 * ${k.k} + p * 4 + c] = j < ${k.n} ? ${B}[${bAt}] : 0;`,
    '}',
    '}',
    '}',
    `for (let i0 = 0; i0 < ${k.m}; i0 += 4) {`,
    `for (let p = 0; p < ${k.k}; p++) {`,
    'for (let r = 0; r < 4; r++) {',
    'const i = i0 + r;',
    `${scratch.a}[p * 4 + r] = i < ${k.m} ? ${A}[${aAt}] : 0;`,
    '}',
    '}',
    `for (let j0 = 0; j0 < ${np}; j0 += 4) {`,
    `let ${cells.map((c) => `${c} = 0`).join(', ')};`,
    `const panel = j0 * ${k.k};`,
    `for (let p = 0; p < ${k.k}; p++) {`,
    'const q = p * 4;',
    'const s = panel + q;',
    `const ${R.map((r) => `ra${r} = ${scratch.a}[q + ${r}]`).join(', ')};`,
    `const ${R.map((c) => `cb${c} = ${scratch.b}[s + ${c}]`).join(', ')};`,
    ...R.flatMap((r) => R.map((c) => `c${r}${c} += ra${r} * cb${c};`)),
    '}',
    ...cells.map((c, n) => `${scratch.tile}[${n}] = ${c};`),
    `for (let r = 0; r < 4 && i0 + r < ${k.m}; r++) {`,
    `for (let c = 0; c < 4 && j0 + c < ${k.n}; c++) {`,
    'const i = i0 + r;',
    'const j = j0 + c;',
    `const acc = ${scratch.tile}[r * 4 + c];`,
    ...epi,
    '}',
    '}',
    '}',
    '}',
  ];
}

function scatterBody(k: KernelOf<'scatter'>, names: Names): string[] {
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

/** Each kind's setup (module-level scratch) and body: a kind missing here is a tsc error. */
const RENDER: KindTable<[Names, Scratch], Omit<KernelText, 'params'>> = {
  map: (k, names) => ({ setup: [], body: mapBody(k, names) }),
  reduce: (k, names) => ({ setup: [], body: reduceBody(k, names) }),
  scan: (k, names) => ({ setup: [], body: scanBody(k, names) }),
  matmul: (k, names, scratch) => ({
    setup: matmulSetup(k, scratch),
    body: matmulBody(k, names, scratch),
  }),
  scatter: (k, names) => ({ setup: [], body: scatterBody(k, names) }),
};

export function renderKernel(k: Kernel, names: Names, scratch: Scratch): KernelText {
  const params = kernelBuffers(k).map(names);
  const { setup, body } = entryOf(RENDER, k)!(k, names, scratch);
  return { setup, params, body };
}
