// Kernel expressions on four float32 lanes: the value code shared by the SIMD maps (flat and
// row-wise) and the SIMD reductions. Loads are the caller's (each vector loop places its lanes
// its own way); everything else — arithmetic, comparisons as lane masks, selects, the
// transcendentals of lanemath.ts — is here. Values used more than once are kept in v128 locals.
import type { Expr } from '../../src/schedule/expr.ts';
import { childrenOf, visit } from '../../src/schedule/walk.ts';
import { Keys } from '../cse.ts';
import { FuncBuilder, OP, SIMD } from './encoder.ts';
import type { ImportName } from './expr.ts';
import { isLaneMath, laneMath, splatF32 } from './lanemath.ts';
import { lanePow } from './widemath.ts';

type Load = Extract<Expr, { k: 'load' }>;

const LANE_BIN: Readonly<Record<string, number>> = {
  add: SIMD.f32x4_add,
  sub: SIMD.f32x4_sub,
  mul: SIMD.f32x4_mul,
  div: SIMD.f32x4_div,
  max: SIMD.f32x4_max,
  min: SIMD.f32x4_min,
};
const LANE_CMP: Readonly<Record<string, number>> = {
  eq: SIMD.f32x4_eq,
  ne: SIMD.f32x4_ne,
  lt: SIMD.f32x4_lt,
  le: SIMD.f32x4_le,
  gt: SIMD.f32x4_gt,
  ge: SIMD.f32x4_ge,
};
const I32_CMP: Readonly<Record<string, number>> = {
  eq: SIMD.i32x4_eq,
  ne: SIMD.i32x4_ne,
  lt: SIMD.i32x4_lt_s,
  le: SIMD.i32x4_le_s,
  gt: SIMD.i32x4_gt_s,
  ge: SIMD.i32x4_ge_s,
};
const LANE_UN: Readonly<Record<string, number>> = {
  neg: SIMD.f32x4_neg,
  abs: SIMD.f32x4_abs,
  sqrt: SIMD.f32x4_sqrt,
  floor: SIMD.f32x4_floor,
  ceil: SIMD.f32x4_ceil,
  trunc: SIMD.f32x4_trunc,
  round: SIMD.f32x4_nearest, // ties to even, as round64
};

/**
 * Why these expressions cannot run on f32 lanes (null when they can). `loadRefusal` judges each
 * load (its buffer, its index); `indexRefusal` each integer index value (a loop position compared
 * with a label, say); without it integer values are refused. Index arithmetic is not walked here.
 */
export function laneRefusal(
  roots: readonly Expr[],
  loadRefusal: (e: Load) => string | null,
  indexRefusal?: (e: Expr) => string | null,
): string | null {
  let why: string | null = null;
  const leaf = (e: Expr) => e.k === 'load' || e.t === 'i32';
  visit(
    roots,
    (e) => {
      why ??= e.k === 'load' ? loadRefusal(e) : e.t === 'i32' ? intRefusal(e) : opRefusal(e);
    },
    (e) => why === null && !leaf(e),
  );
  return why;

  function intRefusal(e: Expr): string | null {
    return indexRefusal ? indexRefusal(e) : 'integer arithmetic';
  }
}

/**
 * Whether the expressions use a transcendental of lanemath.ts (or pow). Where they do, a vector loop's last
 * n mod 4 elements run as a partial vector (rows.ts partialVector) rather than as scalar code,
 * which would call Math (or have no code at all) per element; elsewhere the exact float64 scalar
 * tail is kept, and the module stays smaller.
 */
export function usesLaneMath(roots: readonly Expr[]): boolean {
  let found = false;
  visit(
    roots,
    (e) => (found ||= (e.k === 'un' && isLaneMath(e.op)) || (e.k === 'bin' && e.op === 'pow')),
    () => !found,
  );
  return found;
}

/** Why one (non-load, non-integer) expression node has no lane code, or null. */
function opRefusal(e: Expr): string | null {
  const un = e.k === 'un' && !(e.op in LANE_UN) && !['relu', 'recip', 'sign'].includes(e.op);
  if (un && !isLaneMath(e.op)) return `${e.op} has no f32x4 code`;
  if (e.k === 'bin' && !(e.op in LANE_BIN) && !(e.op in LANE_CMP) && e.op !== 'pow')
    return `${e.op} has no f32x4 instruction`;
  if (e.k === 'bin' && e.op in LANE_CMP && e.a.t === 'bool') return 'boolean comparison';
  if (e.k === 'num' && e.t === 'bool') return 'boolean constant';
  if (e.k === 'cast' && !(e.t === 'f32' && (e.a.t === 'bool' || e.a.t === 'i32')))
    return `cast from ${e.a.t} to ${e.t}`;
  if (e.k === 'rand') return 'random numbers in the body';
  return null;
}

/** Emits lane values of one loop iteration's expressions, sharing repeated values in locals. */
export class LaneEmitter {
  private readonly keys = new Keys();
  private readonly uses = new Map<number, number>();
  private readonly saved = new Map<number, number>();

  constructor(
    private readonly f: FuncBuilder,
    roots: readonly Expr[],
    /** Push the four lanes of a load. */
    private readonly load: (e: Load) => void,
    /** Push the accumulator's lanes (a matmul epilogue's). */
    private readonly acc?: () => void,
    /** Push the i32 lanes of an integer index value (only where laneRefusal allowed them). */
    private readonly index?: (e: Expr) => void,
    /** Function index of an imported Math helper (sin and cos fall back to it on huge lanes). */
    private readonly fn?: (name: ImportName) => number,
  ) {
    const seen = new Set<number>();
    const stack = [...roots];
    while (stack.length) {
      const e = stack.pop()!;
      const key = this.keys.of(e);
      this.uses.set(key, (this.uses.get(key) ?? 0) + 1);
      if (seen.has(key) || e.k === 'load') continue; // indices are not lane values
      seen.add(key);
      stack.push(...childrenOf(e));
    }
  }

  /** Forget the saved values (they belong to one loop iteration). */
  reset(): void {
    this.saved.clear();
  }

  /**
   * Compute the values used more than once first, in the TS kernel's order (its temporaries),
   * then nothing is recomputed by the stores.
   */
  hoist(roots: readonly Expr[]): void {
    const done = new Set<Expr>();
    const post = (e: Expr) => {
      if (done.has(e)) return;
      done.add(e);
      if (e.k !== 'load') for (const c of childrenOf(e)) post(c);
      const key = this.keys.of(e);
      if ((this.uses.get(key) ?? 0) > 1 && !this.saved.has(key) && e.k !== 'num') {
        this.emit(e);
        this.f.op(OP.drop);
      }
    };
    roots.forEach(post);
  }

  /** Push the f32x4 value of `e` (booleans are lane masks: all ones or all zeros). */
  emit(e: Expr): void {
    const key = this.keys.of(e);
    const hit = this.saved.get(key);
    if (hit !== undefined) {
      this.f.get(hit);
      return;
    }
    this.one(e);
    if ((this.uses.get(key) ?? 0) > 1 && e.k !== 'num') {
      const l = this.f.local('v128');
      this.f.tee(l);
      this.saved.set(key, l);
    }
  }

  private one(e: Expr): void {
    const f = this.f;
    if (e.t === 'i32' && e.k !== 'load') {
      if (!this.index) throw new Error('internal: wasm lanes: no integer lanes here');
      this.index(e);
      return;
    }
    switch (e.k) {
      case 'num':
        splatF32(f, e.v);
        return;
      case 'load':
        this.load(e);
        return;
      case 'acc':
        if (!this.acc) throw new Error('internal: wasm lanes: no accumulator here');
        this.acc();
        return;
      case 'un':
        this.emit(e.a);
        if (e.op === 'relu') splatF32(f, 0).simd(SIMD.f32x4_max);
        else if (e.op === 'recip') {
          const x = f.local('v128');
          f.set(x);
          splatF32(f, 1).get(x).simd(SIMD.f32x4_div);
        } else if (e.op === 'sign') {
          // Math.sign: 1 where x > 0, −1 where x < 0, else x itself (±0, NaN)
          const x = f.local('v128');
          f.set(x);
          splatF32(f, 1);
          splatF32(f, -1).get(x).get(x);
          splatF32(f, 0).simd(SIMD.f32x4_lt).simd(SIMD.v128_bitselect).get(x);
          splatF32(f, 0).simd(SIMD.f32x4_gt).simd(SIMD.v128_bitselect);
        } else if (isLaneMath(e.op)) laneMath(f, e.op, this.fn);
        else f.simd(LANE_UN[e.op]!);
        return;
      case 'bin':
        this.emit(e.a);
        this.emit(e.b);
        if (e.a.t === 'i32') f.simd(I32_CMP[e.op]!);
        else if (e.op === 'pow') lanePow(f);
        else f.simd(LANE_BIN[e.op] ?? LANE_CMP[e.op]!);
        return;
      case 'cast':
        this.emit(e.a);
        if (e.a.t === 'bool')
          splatF32(f, 1).simd(SIMD.v128_and); // mask → 1 or 0
        else f.simd(SIMD.f32x4_convert_i32x4_s);
        return;
      case 'sel':
        this.emit(e.a);
        this.emit(e.b);
        this.emit(e.c);
        f.simd(SIMD.v128_bitselect);
        return;
      default:
        throw new Error(`internal: wasm lanes: ${e.k} (laneRefusal should have refused)`);
    }
  }
}
