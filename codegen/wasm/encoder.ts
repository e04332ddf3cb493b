// A small WebAssembly binary encoder, written from the spec (core 2.0 + 128-bit SIMD): LEB128
// numbers, a module of one imported memory, imported and defined functions, exports, and a
// function-body builder with structured loops. Everything the wasm kernel renderers emit goes
// through here.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
const VAL: Readonly<Record<ValType, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

type Bytes = ArrayLike<number>;

/**
 * Byte sequences joined into one array. A module of thousands of kernels is megabytes: spread and
 * `flat()` over plain arrays made encoding it take longer than compiling the graph.
 */
function concat(parts: readonly Bytes[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const name = (s: string) => concat([uleb(utf8(s).length), utf8(s)]);
const vec = (items: readonly Bytes[]) => concat([uleb(items.length), ...items]);
const section = (id: number, body: Bytes) => concat([[id], uleb(body.length), body]);

/** Scalar opcodes used by the renderers (one byte each). */
export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  f32_load: 0x2a,
  i32_store: 0x36,
  f32_store: 0x38,
  i32_const: 0x41,
  f32_const: 0x43,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_gt_s: 0x4a,
  i32_le_s: 0x4c,
  i32_ge_s: 0x4e,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  f32_add: 0x92,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_floor: 0x9c,
  f64_trunc: 0x9d,
  f64_ceil: 0x9b,
  f64_nearest: 0x9e,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f64_min: 0xa4,
  f64_max: 0xa5,
  i32_wrap_i64: 0xa7,
  f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7,
  f64_promote_f32: 0xbb,
} as const;

/** SIMD opcodes: prefix 0xfd, then the opcode as unsigned LEB128. */
export const SIMD = {
  v128_load: 0x00,
  v128_load32_splat: 0x09,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  f32x4_splat: 0x13,
  f32x4_extract_lane: 0x1f,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  v128_and: 0x4e,
  v128_or: 0x50,
  v128_bitselect: 0x52,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  // Lane math (codegen/wasm/lanemath.ts) and the vector reductions.
  i32x4_splat: 0x11,
  f64x2_splat: 0x14,
  f32x4_replace_lane: 0x20,
  f64x2_extract_lane: 0x21,
  i32x4_eq: 0x37,
  i32x4_ne: 0x38,
  i32x4_lt_s: 0x39,
  i32x4_gt_s: 0x3b,
  i32x4_le_s: 0x3d,
  i32x4_ge_s: 0x3f,
  v128_andnot: 0x4f,
  v128_xor: 0x51,
  f64x2_promote_low_f32x4: 0x5f,
  f32x4_nearest: 0x6a,
  i32x4_shl: 0xab,
  i32x4_shr_s: 0xac,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  f64x2_add: 0xf0,
  f64x2_max: 0xf5,
  // sin and cos reduce their argument in float64 lanes
  v128_any_true: 0x53,
  f32x4_demote_f64x2_zero: 0x5e,
  f64x2_nearest: 0x94,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
  i32x4_trunc_sat_f64x2_s_zero: 0xfc,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  f32x4_convert_i32x4_s: 0xfa,
  // Rounding ops, and the float64 lane math of lanewide.ts
  f32x4_ceil: 0x67,
  f32x4_floor: 0x68,
  f32x4_trunc: 0x69,
  f64x2_eq: 0x47,
  f64x2_lt: 0x49,
  f64x2_gt: 0x4a,
  f64x2_ge: 0x4c,
  f64x2_ne: 0x48,
  f64x2_trunc: 0x7a,
  i64x2_extend_low_i32x4_s: 0xc7,
  i64x2_shl: 0xcb,
  i64x2_shr_s: 0xcc,
  i64x2_add: 0xce,
  f64x2_abs: 0xec,
  f64x2_neg: 0xed,
  f64x2_sqrt: 0xef,
  f64x2_div: 0xf3,
  f64x2_min: 0xf4,
  f64x2_convert_low_i32x4_s: 0xfe,
} as const;

/** The 0xfc-prefixed opcodes used here. */
export const MISC = {
  i32_trunc_sat_f64_s: 0x02,
  i64_trunc_sat_f64_s: 0x06,
  memory_copy: 0x0a,
  memory_fill: 0x0b,
} as const;

/** Natural alignment (log2 bytes) of each memory access, for the memarg immediate. */
const ALIGN: Readonly<Record<string, number>> = {
  [OP.i32_load]: 2,
  [OP.f32_load]: 2,
  [OP.i32_store]: 2,
  [OP.f32_store]: 2,
};

/** One function body: typed locals and an instruction byte stream with loop helpers. */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  /** Code run before the body: copies of the globals `fromGlobal` reads into locals. */
  private readonly prelude: number[] = [];
  private readonly globalLocals = new Map<number, number>();
  constructor(readonly params: readonly ValType[]) {}

  /**
   * An i32 local holding global `g`'s value on entry (read once, in the prelude): a shared kernel
   * body's buffer addresses (module.ts) stay in registers instead of being re-read in its loops.
   */
  fromGlobal(g: number): number {
    let l = this.globalLocals.get(g);
    if (l === undefined) {
      l = this.local('i32');
      this.globalLocals.set(g, l);
      this.prelude.push(OP.global_get, ...uleb(g), OP.local_set, ...uleb(l));
    }
    return l;
  }

  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  simd(op: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(op), ...imm);
  }
  misc(op: number, ...imm: number[]): this {
    return this.op(0xfc, ...uleb(op), ...imm);
  }
  get(l: number): this {
    return this.op(OP.local_get, ...uleb(l));
  }
  set(l: number): this {
    return this.op(OP.local_set, ...uleb(l));
  }
  tee(l: number): this {
    return this.op(OP.local_tee, ...uleb(l));
  }
  i32(v: number): this {
    return this.op(OP.i32_const, ...sleb(v | 0));
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.op(OP.f64_const, ...b);
  }
  /** A load or store with a constant byte offset folded into the memarg. */
  mem(op: number, offset = 0): this {
    return this.op(op, ALIGN[op] ?? 0, ...uleb(offset));
  }
  v128Load(offset = 0): this {
    return this.simd(SIMD.v128_load, 4, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(SIMD.v128_store, 4, ...uleb(offset));
  }
  splatLoad(offset = 0): this {
    return this.simd(SIMD.v128_load32_splat, 2, ...uleb(offset));
  }
  call(fn: number): this {
    return this.op(OP.call, ...uleb(fn));
  }
  /** for (v = from; v < to; v += step) body — skipped entirely when from ≥ to. */
  /**
   * Clamp the i32 on the stack into [0, max], as the gather and scatter ops clamp an index (a
   * select on each side; `max` is a compile-time constant).
   */
  clampIndex(max: number): this {
    const t = this.local('i32');
    this.tee(t).i32(0).get(t).i32(0).op(OP.i32_gt_s).op(OP.select);
    return this.tee(t).i32(max).get(t).i32(max).op(OP.i32_lt_s).op(OP.select);
  }

  forRange(v: number, from: number, to: number, step: number, body: () => void): this {
    if (from >= to) return this;
    this.i32(from).set(v);
    this.op(OP.loop, 0x40);
    body();
    this.get(v).i32(step).op(OP.i32_add).tee(v).i32(to).op(OP.i32_lt_s).op(OP.br_if, 0);
    return this.op(OP.end);
  }
  /** if (cond on the stack) then else — both arms leave nothing on the stack. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(OP.if, 0x40);
    then();
    if (otherwise) {
      this.op(OP.else);
      otherwise();
    }
    return this.op(OP.end);
  }
  /** Locals declaration + body, as the code section wants it. */
  encode(): Uint8Array<ArrayBuffer> {
    const groups: number[][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === VAL[t]) last[0]!++;
      else groups.push([1, VAL[t]]);
    }
    const locals = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n!), t!])];
    const size = locals.length + this.prelude.length + this.code.length + 1;
    return concat([uleb(size), locals, this.prelude, this.code, [OP.end]]);
  }
}

/** A global's type and initializer: mutable i32, `i32.const 0`. */
const MUTABLE_I32 = [VAL.i32, 1, OP.i32_const, 0, OP.end];

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** A module importing one memory (`env.memory`) and some functions, exporting its own functions. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly imports: { name: string; type: number }[] = [];
  /** Defined functions, each body encoded when defined (its instruction array is let go). */
  private readonly funcs: { name: string | null; type: number; body: Uint8Array }[] = [];
  /** Internal functions by a hash of their type and bytes (`sharedFunc`). */
  private readonly byHash = new Map<number, number[]>();
  private globals = 0;
  /**
   * Byte offset of the memory import's limits flag in the last encoded module: 0x03 (shared) can
   * be turned into 0x01 (not shared, same maximum) where shared memory is unavailable.
   */
  memoryFlagAt = -1;

  /** A shared memory (for worker threads) declares its maximum, equal to its initial size. */
  constructor(
    private readonly memoryPages: number,
    private readonly shared = false,
  ) {}

  private typeIndex(t: FuncType): number {
    const key = `${t.params.join(',')}>${t.results.join(',')}`;
    const at = this.types.indexOf(key);
    if (at >= 0) return at;
    this.types.push(key);
    return this.types.length - 1;
  }

  /** Imported functions come first in the function index space: import all before defining. */
  importFunc(name: string, t: FuncType): number {
    if (this.funcs.length) throw new Error('wasm encoder: import functions before defining any');
    this.imports.push({ name, type: this.typeIndex(t) });
    return this.imports.length - 1;
  }

  /** Define a function, exported under `name` (null: internal, called by the others). */
  func(name: string | null, t: FuncType, body: FuncBuilder): number {
    this.funcs.push({ name, type: this.typeIndex(t), body: body.encode() });
    return this.imports.length + this.funcs.length - 1;
  }

  /**
   * An internal function, or the one already defined with the same type and the same bytes: kernels
   * that differ only in their buffers' addresses (passed in globals) share one body.
   */
  sharedFunc(t: FuncType, body: FuncBuilder): number {
    const bytes = body.encode();
    const type = this.typeIndex(t);
    let h = type ^ 0x811c9dc5; // FNV-1a over the bytes
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const same = this.byHash.get(h) ?? [];
    for (const i of same) {
      const f = this.funcs[i]!;
      if (f.type === type && equalBytes(f.body, bytes)) return this.imports.length + i;
    }
    this.funcs.push({ name: null, type, body: bytes });
    this.byHash.set(h, [...same, this.funcs.length - 1]);
    return this.imports.length + this.funcs.length - 1;
  }

  /** A mutable i32 global, initially 0. */
  global(): number {
    return this.globals++;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const types = this.types.map((key) => {
      const [ps, rs] = key.split('>').map((s) => (s ? (s.split(',') as ValType[]) : []));
      return concat([[0x60], vec(ps!.map((p) => [VAL[p]])), vec(rs!.map((r) => [VAL[r]]))]);
    });
    const pages = uleb(this.memoryPages);
    const limits = this.shared ? concat([[0x03], pages, pages]) : concat([[0x00], pages]);
    const memory = concat([name('env'), name('memory'), [0x02], limits]);
    const imports = [
      memory,
      ...this.imports.map((f) => concat([name('env'), name(f.name), [0x00], uleb(f.type)])),
    ];
    const exports = this.funcs.flatMap((f, i) =>
      f.name === null ? [] : [concat([name(f.name), [0x00], uleb(this.imports.length + i)])],
    );
    const typeSection = section(1, vec(types));
    const importBody = vec(imports);
    // The memory's limits flag: the first import, after its two names and its kind byte.
    const before = [typeSection, [2], uleb(importBody.length), uleb(imports.length)];
    const names = name('env').length + name('memory').length;
    this.memoryFlagAt = 8 + before.reduce((n, b) => n + b.length, 0) + names + 1;
    return concat([
      [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      typeSection,
      section(2, importBody),
      section(3, vec(this.funcs.map((f) => uleb(f.type)))),
      this.globals ? section(6, vec(new Array<Bytes>(this.globals).fill(MUTABLE_I32))) : [],
      section(7, vec(exports)),
      section(10, vec(this.funcs.map((f) => f.body))),
    ]);
  }
}
