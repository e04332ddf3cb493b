// Matmul kernels → WGSL: tiles of A and B staged through workgroup memory, a register tile of
// several outputs per invocation, operands read through their strided views, epilogue stores.
import type { BatchTerm, StridedView } from '../../src/schedule/kernel.ts';
import { batchTerms } from '../../src/schedule/kernel.ts';
import type { MatmulKernel } from '../../src/schedule/kinds/matmul.ts';
import { readsOf, storeIndex, writesOf } from '../../src/schedule/walk.ts';
import { block } from './code.ts';
import type { Code } from './code.ts';
import { renderExprs, storeValue } from './expr.ts';
import type { KernelCtx, Pass } from './kernels.ts';

/**
 * A tiling: each invocation computes tm×tn outputs; a workgroup of wx×wy covers (wy·tm)×(wx·tn).
 * 'workgroup' stages bk-deep tiles of A and B in workgroup memory (GPUs); 'lane' reads straight
 * from storage with A's loads uniform across the workgroup and B's lane-strided (fastest on CPU
 * adapters such as lavapipe, where barriers are costly: scripts/WEBGPU-NOTES.md).
 */
export interface MatmulConfig {
  readonly staging: 'workgroup' | 'lane';
  readonly tm: number;
  readonly tn: number;
  readonly wx: number;
  readonly wy: number;
  readonly bk: number;
  /** 'lane' only: B read as vec4 (4 adjacent columns per load) when its rows allow it. */
  readonly bvec?: 1 | 4;
}

/** 64×64 tiles, 4×4 per invocation: 256 invocations and 8 KiB of workgroup memory (defaults). */
export const LARGE: MatmulConfig = { staging: 'workgroup', tm: 4, tn: 4, wx: 16, wy: 16, bk: 16 };
/** For thin products (a dimension under 64), 16×16 tiles waste fewer invocations. */
export const SMALL: MatmulConfig = { staging: 'workgroup', tm: 2, tn: 2, wx: 8, wy: 8, bk: 16 };
/** One SIMD group of 8 lanes owns 8 rows × 64 columns (the best scalar kernel on lavapipe). */
export const LANE: MatmulConfig = { staging: 'lane', tm: 8, tn: 8, wx: 8, wy: 1, bk: 1 };
/** 8 rows × 128 columns, B read as vec4: 1.3–1.7× LANE on lavapipe (one load, not four gathers). */
export const LANE_VEC4: MatmulConfig = { ...LANE, tn: 16, bvec: 4 };

export type MatmulStrategy = 'workgroup' | 'lane';

export function chooseConfig(k: MatmulKernel, strategy: MatmulStrategy): MatmulConfig {
  if (strategy === 'lane') return vec4Rows(k.b, k.n) ? LANE_VEC4 : LANE;
  return k.m >= 64 && k.n >= 64 ? LARGE : SMALL;
}

/** Whether rows of view `v` (n columns) split into aligned vec4s: contiguous, all multiples of 4. */
function vec4Rows(v: StridedView, n: number): boolean {
  const strides = [v.offset, v.rowStride, ...v.batch.map((a) => a.stride)];
  return v.colStride === 1 && [n, ...strides].every((x) => x % 4 === 0);
}

/**
 * Whether B can be bound as vec4 only: WebGPU rejects overlapping writable bindings in one
 * dispatch, so not when B is also read or written as f32 there (or arenas are bound whole).
 */
function vec4Alone(k: MatmulKernel, c: KernelCtx): boolean {
  const others = [...readsOf({ ...k, b: k.a }), ...writesOf(k)];
  return c.access4 !== null && !others.includes(k.b.buf);
}

/** Text of the element index of view `v` at (b, row, col) given as WGSL i32 expressions. */
function viewIndex(v: StridedView, b: string | null, row: string, col: string): string {
  const term = (x: string, s: number) => (s === 0 ? null : s === 1 ? x : `${x} * ${s}i`);
  // Batch axes beyond the first: ((b / div) % size) · stride (b is never negative).
  const batch = (t: BatchTerm) => {
    const q = t.div === 1 ? b! : `(${b} / ${t.div}i)`;
    return term(t.mod ? `(${q} % ${t.mod}i)` : q, t.stride);
  };
  const parts = [
    v.offset ? `${v.offset}i` : null,
    ...(b === null ? [] : batchTerms(v).map(batch)),
    term(row, v.rowStride),
    term(col, v.colStride),
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(' + ') : '0i';
}

/** Cooperative load of a rows×cols tile of a view into the workgroup array `dst` (zero-padded). */
function tileLoad(
  c: KernelCtx,
  view: StridedView,
  dst: string,
  rows: number,
  cols: number,
  at: { row: string; col: string; rowMax: number; colMax: number; b: string | null },
  threads: number,
): Code[] {
  const src = c.access(view.buf, viewIndex(view, at.b, 'gr', 'gc'));
  return block(`for (var te = i32(lid); te < ${rows * cols}i; te += ${threads}i)`, [
    `let gr = ${at.row} + te / ${cols}i;`,
    `let gc = ${at.col} + te % ${cols}i;`,
    'var tv = 0f;',
    ...block(`if (gr < ${at.rowMax}i && gc < ${at.colMax}i)`, [`tv = ${src};`]),
    `${dst}[te] = tv;`,
  ]);
}

/**
 * The dispatch for a grid of tiles [columns, rows, batch], and the name of the tile's id (a vec3u).
 * Within the per-dimension limit that is `wid` itself; past it (a batch or a tile count over
 * 65535) the tiles are numbered flat over a 3-D grid, and the few workgroups past the last tile
 * return at once (a uniform branch: the barriers after it stay in uniform control flow).
 */
function tileGrid(
  tiles: readonly [number, number, number],
  max: number,
): { groups: [number, number, number]; id: string; lets: Code[] } {
  const [gx, gy, gz] = tiles;
  if (tiles.every((t) => t <= max)) return { groups: [gx, gy, gz], id: 'wid', lets: [] };
  const total = gx * gy * gz;
  const wx = Math.min(total, max);
  const wy = Math.min(Math.ceil(total / wx), max);
  const wz = Math.ceil(total / (wx * wy));
  if (wz > max) throw new Error(`internal: ${total} matmul tiles exceed a 3-D grid`);
  const lets = [
    `let wf = wid.x + (wid.y + wid.z * ${wy}u) * ${wx}u;`,
    ...block(`if (wf >= ${total}u)`, ['return;']),
    `let tile = vec3u(wf % ${gx}u, wf / ${gx}u % ${gy}u, wf / ${gx * gy}u);`,
  ];
  return { groups: [wx, wy, wz], id: 'tile', lets };
}

export function matmulPass(k: MatmulKernel, c: KernelCtx, cfg: MatmulConfig): Pass {
  if (cfg.staging === 'lane')
    return lanePass(k, c, cfg.bvec === 4 && !vec4Alone(k, c) ? LANE : cfg);
  const { tm, tn, wx, wy, bk } = cfg;
  const [bm, bn, threads] = [wy * tm, wx * tn, wx * wy];
  const sa = `mm_a_${bm}x${bk}`;
  const sb = `mm_b_${bk}x${bn}`;
  c.shared.set(sa, `var<workgroup> ${sa}: array<f32, ${bm * bk}>;`);
  c.shared.set(sb, `var<workgroup> ${sb}: array<f32, ${bk * bn}>;`);
  const b = k.batch > 1 ? 'b' : null;
  const max = c.limits.maxComputeWorkgroupsPerDimension;
  const { groups, id, lets } = tileGrid([Math.ceil(k.n / bn), Math.ceil(k.m / bm), k.batch], max);
  const loop: Code[] = [
    ...tileLoad(
      c,
      k.a,
      sa,
      bm,
      bk,
      { row: 'row0', col: 'k0', rowMax: k.m, colMax: k.k, b },
      threads,
    ),
    ...tileLoad(
      c,
      k.b,
      sb,
      bk,
      bn,
      { row: 'k0', col: 'col0', rowMax: k.k, colMax: k.n, b },
      threads,
    ),
    'workgroupBarrier();',
    ...block(`for (var kk = 0i; kk < ${bk}i; kk++)`, [
      ...Array.from({ length: tm }, (_, r) => `let av${r} = ${sa}[(tr + ${r}i) * ${bk}i + kk];`),
      ...Array.from({ length: tn }, (_, q) => `let bv${q} = ${sb}[kk * ${bn}i + tc + ${q}i];`),
      ...Array.from({ length: tm * tn }, (_, x) => {
        const [r, q] = [Math.floor(x / tn), x % tn];
        return `sums[${x}] += av${r} * bv${q};`;
      }),
    ]),
    'workgroupBarrier();',
  ];
  const builtins =
    '@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) tid: vec3u, ' +
    '@builtin(local_invocation_index) lid: u32';
  const code = [
    `@compute @workgroup_size(${wx}, ${wy})`,
    ...block(`fn ${c.entry}(${builtins})`, [
      ...lets,
      ...(b ? [`let b = i32(${id}.z);`] : []),
      `let row0 = i32(${id}.y) * ${bm}i;`,
      `let col0 = i32(${id}.x) * ${bn}i;`,
      `let tr = i32(tid.y) * ${tm}i;`,
      `let tc = i32(tid.x) * ${tn}i;`,
      `var sums: array<f32, ${tm * tn}>;`,
      ...block(`for (var k0 = 0i; k0 < ${k.k}i; k0 += ${bk}i)`, loop),
      ...epilogue(k, c, tm * tn, `row0 + tr + xy / ${tn}i`, `col0 + tc + xy % ${tn}i`),
    ]),
  ];
  return { entry: c.entry, code, groups, buffers: [...new Set([...readsOf(k), ...writesOf(k)])] };
}

/** Epilogue over the register tile: output xy sits at row `row`, column `col` (WGSL i32 texts). */
function epilogue(k: MatmulKernel, c: KernelCtx, n: number, row: string, col: string): Code[] {
  const epi = renderExprs([...k.stores.map((s) => s.expr), storeIndex(k)], c.access);
  const at = epi.roots[k.stores.length]!;
  return block(`for (var xy = 0i; xy < ${n}i; xy++)`, [
    `let i = ${row};`,
    `let j = ${col};`,
    ...block(`if (i < ${k.m}i && j < ${k.n}i)`, [
      'let acc = sums[xy];',
      ...epi.temps,
      ...k.stores.map((s, x) => `${c.access(s.buf, at)} = ${storeValue(epi.roots[x]!, s.expr.t)};`),
      ...k.stores.flatMap((s) => c.guard(s.buf, at)),
    ]),
  ]);
}

/**
 * No workgroup memory: rows and columns past the edge are clamped (loaded, never stored). Lane l
 * owns column groups of width w (1, or 4 read as one vec4) at col0 + 8·q. (The epilogue stays a
 * loop: unrolled, heavy epilogues made lavapipe's shader compiles take seconds.)
 */
function lanePass(k: MatmulKernel, c: KernelCtx, cfg: MatmulConfig): Pass {
  const { tm, tn, wx } = cfg;
  const w = cfg.bvec ?? 1;
  const b = k.batch > 1 ? 'b' : null;
  const tiles = [Math.ceil(k.n / (wx * tn)), Math.ceil(k.m / tm), k.batch] as const;
  const { groups, id, lets } = tileGrid(tiles, c.limits.maxComputeWorkgroupsPerDimension);
  const rowAt = (r: number) => (k.m % tm ? `min(row0 + ${r}i, ${k.m - 1}i)` : `(row0 + ${r}i)`);
  const colAt = (q: number) =>
    k.n % (wx * tn) ? `min(col0 + ${q * wx}i, ${k.n / w - 1}i)` : `(col0 + ${q * wx}i)`;
  const bView = w === 1 ? k.b : scaled(k.b, w);
  const bLoad = w === 1 ? c.access : c.access4!;
  const bv = (j: number) => (w === 1 ? `bv${j}` : `bv${Math.floor(j / w)}.${'xyzw'[j % w]}`);
  const col =
    w === 1
      ? `col0 + (xy % ${tn}i) * ${wx}i`
      : `${w}i * col0 + (xy % ${tn}i) / ${w}i * ${wx * w}i + xy % ${w}i`;
  const cells = Array.from({ length: tm * tn }, (_, x) => [Math.floor(x / tn), x % tn] as const);
  const loop = [
    ...Array.from({ length: tm }, (_, r) => {
      return `let av${r} = ${c.access(k.a.buf, viewIndex(k.a, b, rowAt(r), 'kp'))};`;
    }),
    ...Array.from({ length: tn / w }, (_, q) => {
      return `let bv${q} = ${bLoad(k.b.buf, viewIndex(bView, b, 'kp', colAt(q)))};`;
    }),
    ...cells.map(([r, q], x) => `sums[${x}] = fma(av${r}, ${bv(q)}, sums[${x}]);`),
  ];
  const builtins = '@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32';
  const code = [
    `@compute @workgroup_size(${wx}, 1)`,
    ...block(`fn ${c.entry}(${builtins})`, [
      ...lets,
      ...(b ? [`let b = i32(${id}.z);`] : []),
      `let row0 = i32(${id}.y) * ${tm}i;`,
      `let col0 = i32(${id}.x) * ${(wx * tn) / w}i + i32(lid);`,
      `var sums: array<f32, ${tm * tn}>;`,
      ...block(`for (var kp = 0i; kp < ${k.k}i; kp++)`, loop),
      ...epilogue(k, c, tm * tn, `row0 + xy / ${tn}i`, col),
    ]),
  ];
  const scalar = w === 1 ? k : { ...k, b: k.a }; // B only through its vec4 view
  const buffers = [...new Set([...readsOf(scalar), ...writesOf(k)])];
  return { entry: c.entry, code, groups, buffers, vec4: w === 4 ? [k.b.buf] : [] };
}

/** The view in units of w elements (its strides and offset are multiples of w). */
const scaled = (v: StridedView, w: number): StridedView => ({
  buf: v.buf,
  offset: v.offset / w,
  batch: v.batch.map((a) => ({ size: a.size, stride: a.stride / w })),
  rowStride: v.rowStride / w,
  colStride: 1,
});
