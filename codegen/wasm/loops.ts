// Map, reduce and scan kernels as scalar wasm loop nests: the same loops and the same float64 arithmetic
// as the TS kernels, with every address a constant of the memory plan.
import * as E from '../../src/schedule/expr.ts';
import type { MapKernel } from '../../src/schedule/kinds/map.ts';
import type { ReduceKernel } from '../../src/schedule/kinds/reduce.ts';
import type { ScanKernel } from '../../src/schedule/kinds/scan.ts';
import { storeIndex } from '../../src/schedule/walk.ts';
import { FuncBuilder, MISC, OP } from './encoder.ts';
import { ScalarEmitter } from './expr.ts';
import type { BufferPlace, ImportName } from './expr.ts';

type Place = (buf: string) => BufferPlace;
type Fn = (name: ImportName) => number;

/** Nested loops over `shape` with one i32 local per dimension (named prefix0, prefix1, …). */
function nest(
  f: FuncBuilder,
  prefix: string,
  shape: readonly number[],
  vars: Map<string, number>,
  body: () => void,
): void {
  const locals = shape.map((_, d) => {
    const l = f.local('i32');
    vars.set(`${prefix}${d}`, l);
    return l;
  });
  const go = (d: number): void => {
    if (d === shape.length) return body();
    f.forRange(locals[d]!, 0, shape[d]!, 1, () => go(d + 1));
  };
  go(0);
}

export function renderMap(k: MapKernel, place: Place, fn: Fn): FuncBuilder {
  const f = new FuncBuilder([]);
  const vars = new Map<string, number>();
  const em = new ScalarEmitter(
    { f, place, vars: (n) => vars.get(n)!, fn },
    k.stores.map((s) => s.expr),
  );
  const at = storeIndex(k);
  nest(f, 'i', k.shape, vars, () => em.stores(k.stores, at));
  return f;
}

export function renderReduce(k: ReduceKernel, place: Place, fn: Fn): FuncBuilder {
  const f = new FuncBuilder([]);
  const vars = new Map<string, number>();
  const acc = f.local('f64');
  const env = { f, place, vars: (n: string) => vars.get(n)!, acc, fn };
  const value = new ScalarEmitter(env, [k.value]);
  const epi = new ScalarEmitter(
    env,
    k.stores.map((s) => s.expr),
  );
  const at = E.flatIndex(
    k.outShape.map((_, d) => E.ivar(`o${d}`)),
    k.outShape,
  );
  // An i32 sum adds in i32 (wrapping), so the epilogue reads an int32 as the store does.
  const int = k.op === 'sum' && k.value.t === 'i32' ? f.local('i32') : null;
  nest(f, 'o', k.outShape, vars, () => {
    f.f64(k.op === 'sum' ? 0 : -Infinity).set(acc);
    if (int !== null) f.i32(0).set(int);
    nest(f, 'r', k.redShape, vars, () => {
      if (int !== null) {
        f.get(int);
        value.emit(k.value);
        f.misc(MISC.i32_trunc_sat_f64_s).op(OP.i32_add).tee(int);
        f.op(OP.f64_convert_i32_s).set(acc);
        return;
      }
      f.get(acc);
      value.emit(k.value);
      f.op(k.op === 'sum' ? OP.f64_add : OP.f64_max).set(acc);
    });
    epi.stores(k.stores, at);
  });
  return f;
}

/**
 * One scalar loop per row along the scanned axis (O(n)), as the TS kernel: an f32 scan adds in
 * float64; an i32 scan adds in i32 (wrapping, as TS's `| 0`), never through a float.
 */
export function renderScan(k: ScanKernel, place: Place, fn: Fn): FuncBuilder {
  const f = new FuncBuilder([]);
  const vars = new Map<string, number>();
  const acc = f.local('f64'); // what the stores read (exact for any i32)
  const int = k.value.t === 'i32' ? f.local('i32') : null;
  const [step, r0] = [f.local('i32'), f.local('i32')];
  vars.set('r0', r0);
  const env = { f, place, vars: (n: string) => vars.get(n)!, acc, fn };
  const value = new ScalarEmitter(env, [k.value]);
  const epi = new ScalarEmitter(
    env,
    k.stores.map((s) => s.expr),
  );
  const n = k.shape[k.axis]!;
  const rows = k.shape.filter((_, d) => d !== k.axis);
  nest(f, 'o', rows, vars, () => {
    f.f64(0).set(acc);
    if (int !== null) f.i32(0).set(int);
    f.forRange(step, 0, n, 1, () => {
      // r0 walks the axis forwards, or from the end for a reverse scan.
      if (k.reverse)
        f.i32(n - 1)
          .get(step)
          .op(OP.i32_sub)
          .set(r0);
      else f.get(step).set(r0);
      if (int !== null) {
        f.get(int);
        value.emit(k.value);
        f.misc(MISC.i32_trunc_sat_f64_s).op(OP.i32_add).tee(int);
        f.op(OP.f64_convert_i32_s).set(acc);
      } else {
        f.get(acc);
        value.emit(k.value);
        f.op(OP.f64_add).set(acc);
      }
      epi.stores(k.stores, storeIndex(k));
    });
  });
  return f;
}
