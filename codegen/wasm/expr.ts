// Kernel expressions → scalar wasm code that computes exactly what the TypeScript renderer's code
// computes: numbers are float64 (JavaScript numbers), booleans i32, loads widen f32 → f64 and
// stores round back, transcendental functions are Math's own (imported). Values used more than
// once are kept in locals, like the TS renderer's temporaries.
import { Keys } from '../cse.ts';
import type { Expr, UnOp } from '../../src/schedule/expr.ts';
import { childrenOf, visit } from '../../src/schedule/walk.ts';
import { FuncBuilder, MISC, OP, SIMD } from './encoder.ts';
import { isLaneMath, laneMath } from './lanemath.ts';

/** Math functions imported from JavaScript (no wasm instruction computes them). */
export const MATH_IMPORTS = [
  'exp',
  'log',
  'sin',
  'cos',
  'tanh',
  'pow',
  ...(['log1p', 'expm1', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'atanh'] as const),
] as const;
export const RAND_IMPORTS = ['randUniform', 'randNormal'] as const;
export type ImportName = (typeof MATH_IMPORTS)[number] | (typeof RAND_IMPORTS)[number];

export interface BufferPlace {
  /** Byte offset of element 0 in linear memory (relative to `base` when there is one). */
  readonly at: number;
  readonly size: number;
  readonly dtype: string;
  /**
   * In a kernel body shared by several kernels (module.ts): the i32 global holding element 0's
   * byte address, which each kernel sets before calling the body.
   */
  readonly base?: number;
}

/** Add a shared body's buffer address (if any) to the address on the stack: the offset left. */
export function rebase(f: FuncBuilder, p: BufferPlace, bytes = 0): number {
  if (p.base !== undefined) f.get(f.fromGlobal(p.base)).op(OP.i32_add);
  return p.at + bytes;
}

/** Push the byte address of a buffer's element 0, plus `bytes`. */
export function pushAddress(f: FuncBuilder, p: BufferPlace, bytes = 0): void {
  if (p.base === undefined) {
    f.i32(p.at + bytes);
    return;
  }
  f.get(f.fromGlobal(p.base));
  if (p.at + bytes !== 0) f.i32(p.at + bytes).op(OP.i32_add);
}

export interface ExprEnv {
  readonly f: FuncBuilder;
  readonly place: (buf: string) => BufferPlace;
  /** i32 local holding a loop variable. */
  readonly vars: (name: string) => number;
  /** f64 local holding the accumulator (matmul and reduce epilogues). */
  readonly acc?: number;
  /** Function index of an imported helper. */
  readonly fn: (name: ImportName) => number;
}

const isBool = (e: Expr) => e.t === 'bool';
const F64_BIN: Readonly<Record<string, number>> = {
  add: OP.f64_add,
  sub: OP.f64_sub,
  mul: OP.f64_mul,
  max: OP.f64_max,
  min: OP.f64_min,
};
const F64_CMP: Readonly<Record<string, number>> = {
  eq: OP.f64_eq,
  ne: OP.f64_ne,
  lt: OP.f64_lt,
  le: OP.f64_le,
  gt: OP.f64_gt,
  ge: OP.f64_ge,
};
const I32_CMP: Readonly<Record<string, number>> = {
  eq: OP.i32_eq,
  ne: OP.i32_ne,
  lt: OP.i32_lt_s,
  le: OP.i32_le_s,
  gt: OP.i32_gt_s,
  ge: OP.i32_ge_s,
};

/**
 * How wasm computes each scalar function: code of its own ('inline', see `unary` below), a Math
 * import, 'lanes' (lanemath.ts on one lane, in float32: erf has no Math function to import), or
 * null: no wasm code, so a kernel using it stays TypeScript. A mapped type over the scalar
 * functions, so a new one without an entry here fails to typecheck.
 */
const WASM_UNARY: { readonly [P in UnOp]: 'inline' | 'lanes' | ImportName | null } = {
  not: 'inline',
  wrap: 'inline',
  sigmoid: 'inline',
  recip: 'inline',
  sign: 'inline',
  neg: 'inline',
  sqrt: 'inline',
  abs: 'inline',
  relu: 'inline',
  exp: 'exp',
  log: 'log',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  log1p: 'log1p',
  expm1: 'expm1',
  erf: 'lanes',
  tan: 'tan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  asinh: 'asinh',
  atanh: 'atanh',
  floor: 'inline',
  ceil: 'inline',
  round: 'inline',
  trunc: 'inline',
};

/** Every distinct expression node under `roots`, once each (iterative: no recursion on depth). */
function distinctExprs(roots: readonly Expr[]): Expr[] {
  const out: Expr[] = [];
  visit(roots, (e) => out.push(e));
  return out;
}

/** The first unary op in these expressions that wasm has no code for (its kernel stays TS). */
export function unsupportedOp(roots: readonly Expr[]): string | null {
  const e = distinctExprs(roots).find((x) => x.k === 'un' && WASM_UNARY[x.op] === null);
  return e?.k === 'un' ? e.op : null;
}

/** The imported helpers these expressions call. */
export function imports(roots: readonly Expr[]): Set<ImportName> {
  const out = new Set<ImportName>();
  for (const e of distinctExprs(roots)) {
    const how = e.k === 'un' ? WASM_UNARY[e.op] : null;
    if (how !== null && how !== 'inline' && how !== 'lanes') out.add(how);
    if (e.k === 'un' && e.op === 'sigmoid') out.add('exp');
    if (e.k === 'bin' && e.op === 'pow') out.add('pow');
    if (e.k === 'rand') out.add(e.dist === 'normal' ? 'randNormal' : 'randUniform');
  }
  return out;
}

/** Emits a group of expressions evaluated in one loop iteration, sharing repeated values. */
/** Unary ops that are one float64 instruction (relu: max with 0; round: ties to even, as round64). */
const F64_UNARY: ReadonlyMap<string, number> = new Map([
  ['neg', OP.f64_neg],
  ['sqrt', OP.f64_sqrt],
  ['abs', OP.f64_abs],
  ['relu', OP.f64_max],
  ['floor', OP.f64_floor],
  ['ceil', OP.f64_ceil],
  ['trunc', OP.f64_trunc],
  ['round', OP.f64_nearest],
]);

export class ScalarEmitter {
  private readonly keys = new Keys();
  /** Keys of expressions under a select's arms (their loads are clamped). */
  private readonly guarded = new Set<number>();
  private readonly uses = new Map<number, number>();
  private readonly saved = new Map<number, number>();

  constructor(
    private readonly env: ExprEnv,
    roots: readonly Expr[],
  ) {
    const seen = new Set<number>();
    const count = (e: Expr) => {
      const k = this.keys.of(e);
      this.uses.set(k, (this.uses.get(k) ?? 0) + 1);
      if (seen.has(k)) return;
      seen.add(k);
      for (const c of childrenOf(e)) count(c);
    };
    roots.forEach(count);
    // Loads under a select's arms: evaluated eagerly here, so their index may be one the TS code
    // never reads (a pad or concat's other side). Only those are clamped into their buffer.
    const mark = (e: Expr) => {
      const k = this.keys.of(e);
      if (this.guarded.has(k)) return;
      this.guarded.add(k);
      for (const c of childrenOf(e)) mark(c);
    };
    const visited = new Set<number>();
    const find = (e: Expr) => {
      const k = this.keys.of(e);
      if (visited.has(k)) return;
      visited.add(k);
      if (e.k === 'sel') [e.a, e.b].forEach(mark);
      for (const c of childrenOf(e)) find(c);
    };
    roots.forEach(find);
  }

  /** Push the value of `e`: f64 for f32/i32 values, i32 for booleans. */
  emit(e: Expr): void {
    const f = this.env.f;
    const k = this.keys.of(e);
    const local = this.saved.get(k);
    if (local !== undefined) {
      f.get(local);
      return;
    }
    this.emitOne(e);
    if ((this.uses.get(k) ?? 0) > 1 && e.k !== 'num' && e.k !== 'acc') {
      const l = f.local(isBool(e) ? 'i32' : 'f64');
      f.tee(l);
      this.saved.set(k, l);
    }
  }

  /** Push the byte address of element `at` of `buf` (clamped into the buffer when asked). */
  address(buf: string, at: Expr, clamp = false): number {
    const f = this.env.f;
    const p = this.env.place(buf);
    this.emit(at);
    f.misc(MISC.i32_trunc_sat_f64_s);
    if (clamp) f.clampIndex(p.size - 1);
    return this.scale(p);
  }

  private scale(p: BufferPlace): number {
    this.env.f.i32(2).op(OP.i32_shl);
    return rebase(this.env.f, p);
  }

  /**
   * The stores of one loop iteration, ordered as the TS kernel orders them: shared values first
   * (its temporaries), then each store in turn.
   */
  stores(stores: readonly { buf: string; expr: Expr }[], at: Expr): void {
    const seen = new Set<Expr>();
    const post = (e: Expr) => {
      if (seen.has(e)) return;
      seen.add(e);
      for (const c of childrenOf(e)) post(c);
      const k = this.keys.of(e);
      if ((this.uses.get(k) ?? 0) > 1 && !this.saved.has(k) && e.k !== 'num' && e.k !== 'acc') {
        this.emit(e);
        this.env.f.op(OP.drop);
      }
    };
    for (const s of stores) post(s.expr);
    for (const s of stores) this.store(s.buf, at, s.expr);
  }

  /** Store the value of `e` into element `at` of `buf` (rounded to the buffer's type). */
  store(buf: string, at: Expr, e: Expr): void {
    const f = this.env.f;
    const offset = this.address(buf, at);
    this.emit(e);
    const dt = this.env.place(buf).dtype;
    if (dt === 'f32') {
      if (isBool(e)) f.op(OP.f64_convert_i32_s);
      f.op(OP.f32_demote_f64).mem(OP.f32_store, offset);
    } else {
      // An i32 value (exact in f64) wraps modulo 2³² as int32 arithmetic does; a cast from f32
      // was clamped into range where it was made.
      if (!isBool(e)) f.misc(MISC.i64_trunc_sat_f64_s).op(OP.i32_wrap_i64);
      f.mem(OP.i32_store, offset);
    }
  }

  private emitOne(e: Expr): void {
    const f = this.env.f;
    switch (e.k) {
      case 'num':
        if (e.t === 'bool') f.i32(e.v ? 1 : 0);
        else f.f64(e.v);
        return;
      case 'var':
        f.get(this.env.vars(e.name)).op(OP.f64_convert_i32_s);
        return;
      case 'acc':
        f.get(this.env.acc!);
        return;
      case 'load': {
        const offset = this.address(e.buf, e.at, this.guarded.has(this.keys.of(e)));
        if (this.env.place(e.buf).dtype === 'f32') {
          f.mem(OP.f32_load, offset).op(OP.f64_promote_f32);
          if (e.t === 'bool') f.f64(0).op(OP.f64_ne);
        } else {
          f.mem(OP.i32_load, offset);
          if (e.t === 'bool') f.i32(0).op(OP.i32_ne);
          else f.op(OP.f64_convert_i32_s);
        }
        return;
      }
      case 'un':
        return this.unary(e.op, e.a);
      case 'bin':
        return this.binary(e.op, e.a, e.b);
      case 'sel':
        // c ? a : b  →  select(a, b, c)
        this.emit(e.a);
        this.emit(e.b);
        this.emit(e.c);
        f.op(OP.select);
        return;
      case 'cast':
        this.emit(e.a);
        if (e.a.t === 'bool' && e.t !== 'bool') f.op(OP.f64_convert_i32_s);
        else if (e.t === 'bool' && e.a.t !== 'bool') f.f64(0).op(OP.f64_ne);
        else if (e.t === 'i32' && e.a.t !== 'bool') {
          // Toward zero, saturating at the i32 range (NaN stays NaN here and is stored as 0).
          f.op(OP.f64_trunc).f64(-2147483648).op(OP.f64_max).f64(2147483647).op(OP.f64_min);
        }
        return;
      case 'rand':
        f.f64(e.seed);
        this.emit(e.counter);
        this.emit(e.at);
        f.call(this.env.fn(e.dist === 'normal' ? 'randNormal' : 'randUniform'));
        return;
    }
  }

  private unary(op: UnOp, a: Expr): void {
    const f = this.env.f;
    if (op === 'not') {
      this.emit(a);
      f.op(OP.i32_eqz);
      return;
    }
    if (op === 'wrap') {
      // i32 values live in f64 here: an int32 product multiplies in i32 (the f64 product of two
      // large ints is inexact); any other exact result is reduced modulo 2³² through i64.
      if (a.k === 'bin' && a.op === 'mul') {
        this.emit(a.a);
        f.misc(MISC.i32_trunc_sat_f64_s);
        this.emit(a.b);
        f.misc(MISC.i32_trunc_sat_f64_s).op(OP.i32_mul);
      } else {
        this.emit(a);
        f.misc(MISC.i64_trunc_sat_f64_s).op(OP.i32_wrap_i64);
      }
      f.op(OP.f64_convert_i32_s);
      return;
    }
    if (op === 'sigmoid') {
      f.f64(1).f64(1);
      this.emit(a);
      f.op(OP.f64_neg).call(this.env.fn('exp')).op(OP.f64_add).op(OP.f64_div);
      return;
    }
    if (op === 'recip') {
      f.f64(1);
      this.emit(a);
      f.op(OP.f64_div);
      return;
    }
    if (op === 'sign') {
      // Math.sign: 1, −1, or x itself (±0, NaN).
      const x = f.local('f64');
      this.emit(a);
      f.set(x);
      f.f64(1).f64(-1).get(x).get(x).f64(0).op(OP.f64_lt).op(OP.select);
      f.get(x).f64(0).op(OP.f64_gt).op(OP.select);
      return;
    }
    this.emit(a);
    const opcode = F64_UNARY.get(op);
    if (opcode !== undefined) {
      if (op === 'relu') f.f64(0);
      f.op(opcode);
      return;
    }
    const how = WASM_UNARY[op];
    if (how === 'lanes' && isLaneMath(op)) {
      f.op(OP.f32_demote_f64).simd(SIMD.f32x4_splat);
      laneMath(f, op);
      f.simd(SIMD.f32x4_extract_lane, 0).op(OP.f64_promote_f32);
      return;
    }
    if (how === null || how === 'inline' || how === 'lanes')
      throw new Error(`internal: wasm has no code for ${op}`);
    f.call(this.env.fn(how));
  }

  private binary(op: string, a: Expr, b: Expr): void {
    const f = this.env.f;
    const boolArgs = isBool(a);
    if (op === 'and' || op === 'or') {
      this.emit(a);
      this.emit(b);
      f.op(op === 'and' ? OP.i32_and : OP.i32_or);
      return;
    }
    const cmp = boolArgs ? I32_CMP[op] : F64_CMP[op];
    // Comparisons see float32 values, as stored (same rule as the TS renderer).
    const side = (x: Expr) => {
      this.emit(x);
      if (cmp !== undefined && x.t === 'f32' && x.k !== 'load' && x.k !== 'num')
        f.op(OP.f32_demote_f64).op(OP.f64_promote_f32);
    };
    if (op === 'pow') {
      side(a);
      side(b);
      f.call(this.env.fn('pow'));
      return;
    }
    side(a);
    side(b);
    if (cmp !== undefined) f.op(cmp);
    else if (op === 'div') {
      f.op(OP.f64_div);
      if (a.t !== 'f32') f.op(OP.f64_floor);
    } else if (op === 'mod') {
      // JavaScript's %: a − b·trunc(a / b), on values already in locals.
      const [x, y] = [f.local('f64'), f.local('f64')];
      f.set(y).set(x);
      f.get(x).get(x).get(y).op(OP.f64_div).op(OP.f64_trunc).get(y).op(OP.f64_mul).op(OP.f64_sub);
    } else f.op(F64_BIN[op]!);
  }
}
