// Kernels of every kind → WGSL entry points (matmul's in matmul.ts), and copies: one invocation per element (the flat
// id split over x/y workgroups), reductions as workgroup trees or one invocation per output.
import * as E from '../../src/schedule/expr.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import type { Kernel, Store } from '../../src/schedule/kernel.ts';
import { entryOf } from '../../src/schedule/kinds/index.ts';
import type { KernelOf, KindTable } from '../../src/schedule/kinds/index.ts';
import { mapExpr, readsOf, storeIndex, writesOf } from '../../src/schedule/walk.ts';
import { Keys } from '../cse.ts';
import { block, lines } from './code.ts';
import type { Code } from './code.ts';
import { literal, renderExprs, storeValue } from './expr.ts';
import type { Access } from './expr.ts';
import type { WgslLimits } from './layout.ts';
import { PARTIALS } from './layout.ts';
import { chooseConfig, matmulPass } from './matmul.ts';
import type { MatmulStrategy } from './matmul.ts';

/** One dispatch: an entry point, its workgroup grid, and the buffers it touches. */
export interface Pass {
  readonly entry: string;
  /** The entry point function: attribute, signature and body as nested blocks. */
  readonly code: readonly Code[];
  readonly groups: readonly [number, number, number];
  readonly buffers: readonly string[];
  /** Buffers (also in `buffers`) the pass reads through a vec4 view too. */
  readonly vec4?: readonly string[];
}

export interface KernelCtx {
  readonly access: Access;
  /** Access through a vec4 view (index in vec4s), or null when no binding is left for one. */
  readonly access4: Access | null;
  /** Entry point name of the kernel. */
  readonly entry: string;
  /** A further unique module-scope name (for a second pass). */
  readonly fresh: (base: string) => string;
  readonly limits: WgslLimits;
  /** Module-scope workgroup arrays the pass declares, by name (shared by the kernels using them). */
  readonly shared: Map<string, string>;
  /**
   * The numerics guard's lines after a store of `buf[at]` (none when the option is off, or for
   * buffers it does not check): see guardLines.
   */
  readonly guard: (buf: string, at: string) => Code[];
}

/**
 * The numerics guard inside a kernel (src/schedule/numerics.ts decides what is checked): after a
 * store, a non-finite element lowers its status word to `index·4 + class` (atomicMin, so the
 * first element wins and the word stays all ones while every value is finite).
 */
export function guardLines(status: string, word: number, value: string, at: string): Code[] {
  return block(`if (is_nonfinite(${value}))`, [
    `atomicMin(&${status}[${word}], nonfinite_code(${value}, ${at}));`,
  ]);
}

/** Invocations per workgroup for element-wise work and tree reductions. */
export const WG = 256;
/** Reductions longer than this use a workgroup per output, shorter ones an invocation. */
const TREE_ABOVE = 128;
/** Each workgroup of a two-pass reduction's first pass reduces about this many elements. */
const CHUNK = 8192;
/** Two-pass reductions only for few outputs (else there is parallelism enough). */
const TWO_PASS_MAX_OUT = 1024;
const MAX_CHUNKS = WG;

const SHARED: readonly [string, string] = ['red_sh', `var<workgroup> red_sh: array<f32, ${WG}>;`];

/** A grid of `n` workgroups within the per-dimension limit, and the flat workgroup index. */
export function grid(
  n: number,
  limits: WgslLimits,
): { groups: [number, number, number]; flat: string } {
  const max = limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.max(1, Math.min(n, max));
  const gy = Math.ceil(n / gx);
  if (gy > max) throw new Error(`internal: ${n} workgroups exceed a 2-D grid`);
  return { groups: [gx, Math.max(gy, 1), 1], flat: gy > 1 ? `(wid.x + wid.y * ${gx}u)` : 'wid.x' };
}

const PARAMS = '(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32)';

/** The entry point `entry` with `body`, one workgroup of `wgSize` invocations. */
function entryFn(entry: string, wgSize: number, body: readonly Code[]): Code[] {
  return [`@compute @workgroup_size(${wgSize})`, ...block(`fn ${entry}${PARAMS}`, body)];
}

/** `let v0 = …;` for each variable of a multi-index of the flat i32 `flat` that the body uses. */
function indexLets(flat: string, prefix: string, shape: readonly number[], used: string): string[] {
  const parts = E.unflatIndex(E.ivar(flat), shape);
  const out: string[] = [];
  parts.forEach((p, d) => {
    const name = `${prefix}${d}`;
    if (!new RegExp(`\\b${name}\\b`).test(used)) return;
    out.push(`let ${name} = ${renderExprs([p], () => '').roots[0]};`);
  });
  return out;
}

/** Replace loads' flat-index subexpressions equal to `identity` by the variable `flat`. */
function useFlat(exprs: readonly Expr[], identity: Expr, flat: string): Expr[] {
  const keys = new Keys();
  const id = keys.of(identity);
  const memo = new Map<Expr, Expr>();
  const v = E.ivar(flat);
  return exprs.map((e) => mapExpr(e, (x) => (x.k === 'bin' && keys.of(x) === id ? v : null), memo));
}

function storeLines(stores: readonly Store[], at: string, c: KernelCtx, pre = 't'): Code[] {
  const r = renderExprs(
    stores.map((s) => s.expr),
    c.access,
    pre,
  );
  return [
    ...r.temps,
    ...stores.map((s, i) => `${c.access(s.buf, at)} = ${storeValue(r.roots[i]!, s.expr.t)};`),
    ...stores.flatMap((s) => c.guard(s.buf, at)),
  ];
}

const bufsOf = (k: Kernel) => [...new Set([...readsOf(k), ...writesOf(k)])];

export function mapPass(k: KernelOf<'map'>, c: KernelCtx): Pass {
  const total = k.shape.reduce((a, d) => a * d, 1);
  const g = grid(Math.ceil(total / WG), c.limits);
  const idx = k.shape.map((_, d) => E.ivar(`i${d}`));
  const exprs = useFlat(
    k.stores.map((s) => s.expr),
    E.flatIndex(idx, k.shape),
    'gi',
  );
  const body = storeLines(
    k.stores.map((s, i) => ({ buf: s.buf, expr: exprs[i]! })),
    'gi',
    c,
  );
  const code = perElement(c, g, total, 'gi', [
    ...indexLets('gi', 'i', k.shape, lines(body).join('\n')),
    ...body,
  ]);
  return { entry: c.entry, code, groups: g.groups, buffers: bufsOf(k) };
}

/** An entry point with one invocation per element: `v` is the element's flat index (i32). */
function perElement(
  c: KernelCtx,
  g: { flat: string },
  total: number,
  v: string,
  body: readonly Code[],
): Code[] {
  return entryFn(c.entry, WG, [
    `let flat = ${g.flat} * ${WG}u + lid;`,
    ...block(`if (flat >= ${total}u)`, ['return;']),
    `let ${v} = i32(flat);`,
    ...body,
  ]);
}

/** Copy step as a kernel (a copy within one arena buffer cannot use copyBufferToBuffer). */
export function copyPass(from: string, to: string, size: number, c: KernelCtx): Pass {
  const g = grid(Math.ceil(size / WG), c.limits);
  const code = perElement(c, g, size, 'gi', [`${c.access(to, 'gi')} = ${c.access(from, 'gi')};`]);
  return { entry: c.entry, code, groups: g.groups, buffers: [from, to] };
}

export function scatterPass(k: KernelOf<'scatter'>, c: KernelCtx): Pass {
  const total = k.pre * k.size * k.post;
  const g = grid(Math.ceil(total / WG), c.limits);
  const a = c.access;
  // No float atomics in WGSL: each invocation owns one output element and sums the updates
  // whose index hits it, in index order (deterministic, like the reference).
  const hit = `clamp(${a(k.indices, 'uj')}, 0i, ${k.size - 1}i) == slot`;
  const code = perElement(c, g, total, 'gi', [
    `let pre = gi / ${k.size * k.post}i;`,
    `let slot = (gi / ${k.post}i) % ${k.size}i;`,
    `let post = gi % ${k.post}i;`,
    `var acc = ${literal(0, k.dtype)};`,
    ...block(`for (var uj = 0i; uj < ${k.count}i; uj++)`, [
      ...block(`if (${hit})`, [
        `acc += ${a(k.updates, `(pre * ${k.count}i + uj) * ${k.post}i + post`)};`,
      ]),
    ]),
    `${a(k.out, 'gi')} = acc;`,
    ...c.guard(k.out, 'gi'),
  ]);
  return { entry: c.entry, code, groups: g.groups, buffers: bufsOf(k) };
}

/** One invocation per row walks the scanned axis in order: O(n) work per row, like the CPU. */
export function scanPass(k: KernelOf<'scan'>, c: KernelCtx): Pass {
  const rest = k.shape.filter((_, d) => d !== k.axis);
  const rows = rest.reduce((a, d) => a * d, 1);
  const n = k.shape[k.axis]!;
  const g = grid(Math.ceil(rows / WG), c.limits);
  const v = renderExprs([k.value], c.access, 'u');
  const at = renderExprs([storeIndex(k)], c.access, 'a');
  const stores = storeLines(k.stores, at.roots[0]!, c);
  const body = [...v.temps, `acc += ${v.roots[0]};`, ...at.temps, ...stores];
  const walk = k.reverse
    ? `for (var r0 = ${n - 1}i; r0 >= 0i; r0--)`
    : `for (var r0 = 0i; r0 < ${n}i; r0++)`;
  const code = perElement(c, g, rows, 'oi', [
    ...indexLets('oi', 'o', rest, body.join('\n')),
    k.value.t === 'i32' ? 'var acc = 0i;' : 'var acc = 0f;', // i32 adds in i32, not through f32
    ...block(walk, body),
  ]);
  return { entry: c.entry, code, groups: g.groups, buffers: bufsOf(k) };
}

const FOLD = (op: 'sum' | 'max', acc: string, v: string) =>
  op === 'sum' ? `${acc} += ${v};` : `${acc} = max(${acc}, ${v});`;
const INIT = (op: 'sum' | 'max') => (op === 'sum' ? '0f' : literal(-Infinity, 'f32'));
/** An i32 reduction folds in i32 (never through f32): 0, or the least i32 for max. */
const INIT_I32 = (op: 'sum' | 'max') => (op === 'sum' ? '0i' : '(-2147483647i - 1i)');
/** i32 reductions run one invocation per output: the trees and partials hold f32. */
const isInt = (k: KernelOf<'reduce'>) => k.value.t === 'i32';

/** Tree reduction of `part` over the workgroup into red_sh[0] (leaves lid 0 holding the result). */
function treeLines(op: 'sum' | 'max'): Code[] {
  const combine =
    op === 'sum' ? 'red_sh[lid] + red_sh[lid + s]' : 'max(red_sh[lid], red_sh[lid + s])';
  return [
    'red_sh[lid] = part;',
    'workgroupBarrier();',
    ...block(`for (var s = ${WG / 2}u; s > 0u; s >>= 1u)`, [
      ...block('if (lid < s)', [`red_sh[lid] = ${combine};`]),
      'workgroupBarrier();',
    ]),
  ];
}

interface ReduceParts {
  readonly total: number;
  readonly red: number;
  /** Value loop body (temps and fold) over r in the given range, indices from `ri`. */
  readonly fold: (acc: string) => string[];
  readonly epilogue: Code[];
  /** `let o0 = …` for the output indices used by `text`. */
  readonly outLets: (text: string) => string[];
  readonly valueText: string;
}

function reduceParts(k: KernelOf<'reduce'>, c: KernelCtx): ReduceParts {
  const total = k.outShape.reduce((a, d) => a * d, 1);
  const red = k.redShape.reduce((a, d) => a * d, 1);
  const oIdx = E.flatIndex(
    k.outShape.map((_, d) => E.ivar(`o${d}`)),
    k.outShape,
  );
  const rIdx = E.flatIndex(
    k.redShape.map((_, d) => E.ivar(`r${d}`)),
    k.redShape,
  );
  const [value] = useFlat(useFlat([k.value], oIdx, 'oi'), rIdx, 'ri');
  const v = renderExprs([value!], c.access, 'u');
  const stores = useFlat(
    k.stores.map((s) => s.expr),
    oIdx,
    'oi',
  );
  const epilogue = storeLines(
    k.stores.map((s, i) => ({ buf: s.buf, expr: stores[i]! })),
    'oi',
    c,
  );
  const valueText = [...v.temps, v.roots[0]!].join('\n');
  const fold = (acc: string) => [
    ...indexLets('ri', 'r', k.redShape, valueText),
    ...v.temps,
    FOLD(k.op, acc, v.roots[0]!),
  ];
  const outLets = (text: string) => indexLets('oi', 'o', k.outShape, text);
  return { total, red, fold, epilogue, outLets, valueText };
}

const both = (p: ReduceParts) => `${p.valueText}\n${lines(p.epilogue).join('\n')}`;

/** Chunks per output of a two-pass reduction, or 1 when one pass does. */
export function reduceChunks(k: KernelOf<'reduce'>): number {
  const total = k.outShape.reduce((a, d) => a * d, 1);
  const red = k.redShape.reduce((a, d) => a * d, 1);
  const chunks = Math.min(MAX_CHUNKS, Math.ceil(red / CHUNK));
  return chunks > 1 && total <= TWO_PASS_MAX_OUT && !isInt(k) ? chunks : 1;
}

export function reducePasses(k: KernelOf<'reduce'>, c: KernelCtx): Pass[] {
  const parts = reduceParts(k, c);
  const chunks = reduceChunks(k);
  if (chunks > 1) return twoPass(k, c, parts, chunks);
  if (parts.red > TREE_ABOVE && !isInt(k)) return [treePass(k, c, parts)];
  const g = grid(Math.ceil(parts.total / WG), c.limits);
  const code = perElement(c, g, parts.total, 'oi', [
    ...parts.outLets(both(parts)),
    `var acc = ${isInt(k) ? INIT_I32(k.op) : INIT(k.op)};`,
    ...block(`for (var ri = 0i; ri < ${parts.red}i; ri++)`, parts.fold('acc')),
    ...parts.epilogue,
  ]);
  return [{ entry: c.entry, code, groups: g.groups, buffers: bufsOf(k) }];
}

/** One workgroup per output: strided partial sums, a tree, then the epilogue on lid 0. */
function treePass(k: KernelOf<'reduce'>, c: KernelCtx, parts: ReduceParts): Pass {
  c.shared.set(...SHARED);
  const g = grid(parts.total, c.limits);
  const code = entryFn(c.entry, WG, [
    `let go = ${g.flat};`,
    ...block(`if (go >= ${parts.total}u)`, ['return;']),
    'let oi = i32(go);',
    ...parts.outLets(both(parts)),
    `var part = ${INIT(k.op)};`,
    ...block(`for (var ri = i32(lid); ri < ${parts.red}i; ri += ${WG}i)`, parts.fold('part')),
    ...treeLines(k.op),
    ...block('if (lid == 0u)', ['let acc = red_sh[0];', ...parts.epilogue]),
  ]);
  return { entry: c.entry, code, groups: g.groups, buffers: bufsOf(k) };
}

/** Long reductions with few outputs: chunks reduced into partials, then one tree per output. */
function twoPass(k: KernelOf<'reduce'>, c: KernelCtx, parts: ReduceParts, chunks: number): Pass[] {
  c.shared.set(...SHARED);
  const g1 = grid(parts.total * chunks, c.limits);
  const g2 = grid(parts.total, c.limits);
  const finish = c.fresh(`${c.entry}_finish`);
  const epiBufs = k.stores.flatMap((s) => [...readsOf({ ...k, value: E.int(0), stores: [s] })]);
  return [
    {
      entry: c.entry,
      code: chunkLines(k, c, parts, chunks, g1.flat),
      groups: g1.groups,
      buffers: [...readsOf({ ...k, stores: [] }), PARTIALS],
    },
    {
      entry: finish,
      code: finishLines(k, c, parts, chunks, finish, g2.flat),
      groups: g2.groups,
      buffers: [...new Set([PARTIALS, ...epiBufs, ...writesOf(k)])],
    },
  ];
}

/** First pass: workgroup gw reduces chunk gw % chunks of output gw / chunks into a partial. */
function chunkLines(
  k: KernelOf<'reduce'>,
  c: KernelCtx,
  parts: ReduceParts,
  chunks: number,
  flat: string,
): Code[] {
  const per = Math.ceil(parts.red / chunks);
  return entryFn(c.entry, WG, [
    `let gw = ${flat};`,
    ...block(`if (gw >= ${parts.total * chunks}u)`, ['return;']),
    `let oi = i32(gw / ${chunks}u);`,
    `let chunk = i32(gw % ${chunks}u);`,
    ...parts.outLets(parts.valueText),
    `let r_end = min((chunk + 1i) * ${per}i, ${parts.red}i);`,
    `var part = ${INIT(k.op)};`,
    ...block(
      `for (var ri = chunk * ${per}i + i32(lid); ri < r_end; ri += ${WG}i)`,
      parts.fold('part'),
    ),
    ...treeLines(k.op),
    ...block('if (lid == 0u)', [`${c.access(PARTIALS, 'i32(gw)')} = red_sh[0];`]),
  ]);
}

/** Second pass: one workgroup per output reduces its partials, then the epilogue. */
function finishLines(
  k: KernelOf<'reduce'>,
  c: KernelCtx,
  parts: ReduceParts,
  chunks: number,
  entry: string,
  flat: string,
): Code[] {
  return entryFn(entry, WG, [
    `let go = ${flat};`,
    ...block(`if (go >= ${parts.total}u)`, ['return;']),
    'let oi = i32(go);',
    ...parts.outLets(lines(parts.epilogue).join('\n')),
    `var part = ${INIT(k.op)};`,
    ...block(`if (lid < ${chunks}u)`, [
      `part = ${c.access(PARTIALS, `oi * ${chunks}i + i32(lid)`)};`,
    ]),
    ...treeLines(k.op),
    ...block('if (lid == 0u)', ['let acc = red_sh[0];', ...parts.epilogue]),
  ]);
}

/** Each kind's dispatches: a kind missing here is a tsc error. */
const PASSES: KindTable<[KernelCtx, MatmulStrategy], Pass[]> = {
  map: (k, c) => [mapPass(k, c)],
  reduce: (k, c) => reducePasses(k, c),
  scan: (k, c) => [scanPass(k, c)],
  matmul: (k, c, strategy) => [matmulPass(k, c, chooseConfig(k, strategy))],
  scatter: (k, c) => [scatterPass(k, c)],
};

export function kernelPasses(k: Kernel, c: KernelCtx, strategy: MatmulStrategy): Pass[] {
  return entryOf(PASSES, k)!(k, c, strategy);
}

/** Elements of the PARTIALS scratch a kernel needs; kinds absent here need none. */
const PARTIAL_ELEMENTS: Partial<KindTable<[], number>> = {
  reduce: (k) => {
    const chunks = reduceChunks(k);
    return chunks > 1 ? chunks * k.outShape.reduce((a, d) => a * d, 1) : 0;
  },
};

export const partialsOf = (k: Kernel): number => entryOf(PARTIAL_ELEMENTS, k)?.(k) ?? 0;
