// The wasm encoder: LEB128 numbers, module structure accepted by WebAssembly.validate, and the
// SIMD and scalar opcodes computing what the spec says (run, not just validated).
import { describe, expect, it } from 'vitest';
import {
  FuncBuilder,
  MISC,
  ModuleBuilder,
  OP,
  SIMD,
  sleb,
  uleb,
} from '../../codegen/wasm/encoder.ts';
import type { ValType } from '../../codegen/wasm/encoder.ts';

describe('LEB128', () => {
  it('encodes unsigned and signed numbers as the spec examples do', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

/** Instantiate a module of one exported function `f` over a fresh one-page memory. */
function build(
  params: ValType[],
  results: ValType[],
  body: (f: FuncBuilder) => void,
  imports: Record<string, (...a: number[]) => number> = {},
) {
  const m = new ModuleBuilder(1);
  for (const name of Object.keys(imports))
    m.importFunc(name, { params: ['f64'], results: ['f64'] });
  const f = new FuncBuilder(params);
  body(f);
  m.func('f', { params, results }, f);
  const bytes = m.encode();
  expect(WebAssembly.validate(bytes)).toBe(true);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { memory, ...imports },
  });
  return {
    f: inst.exports['f'] as (...a: number[]) => number,
    mem: new Float32Array(memory.buffer),
  };
}

describe('modules', () => {
  it('validates a module with imports, locals of every type and a loop', () => {
    const { f } = build(['i32'], ['f64'], (f) => {
      const acc = f.local('f64');
      f.local('v128');
      f.local('f32');
      const i = f.local('i32');
      f.forRange(i, 0, 10, 1, () => {
        f.get(acc).get(i).op(OP.f64_convert_i32_s).op(OP.f64_add).set(acc);
      });
      f.get(acc).get(0).op(OP.f64_convert_i32_s).op(OP.f64_mul);
    });
    expect(f(2)).toBe(90); // 2·(0 + 1 + … + 9)
  });

  it('calls imported functions', () => {
    const { f } = build([], ['f64'], (f) => f.f64(2).call(0), { exp: Math.exp });
    expect(f()).toBe(Math.exp(2));
  });

  it('refuses imports after functions are defined', () => {
    const m = new ModuleBuilder(1);
    m.func('f', { params: [], results: [] }, new FuncBuilder([]));
    expect(() => m.importFunc('g', { params: [], results: [] })).toThrow(/import functions before/);
  });

  it('rejects a malformed body (the validator is really consulted)', () => {
    const m = new ModuleBuilder(1);
    m.func('f', { params: [], results: ['i32'] }, new FuncBuilder([]).op(OP.f64_add));
    expect(WebAssembly.validate(m.encode())).toBe(false);
  });
});

describe('SIMD opcodes compute lane-wise', () => {
  const a = [1.5, -2, 9, 0.25];
  const b = [2, 3, -4, 0.5];
  // Memory layout: a at 0, b at 16, the result at 32.
  const lanes = (op: (f: FuncBuilder) => void, args = 2) => {
    const { f, mem } = build([], [], (f) => {
      f.i32(32).i32(0).v128Load();
      if (args === 2) f.i32(16).v128Load();
      op(f);
      f.v128Store();
    });
    mem.set(a, 0);
    mem.set(b, 4);
    f();
    return [...mem.subarray(8, 12)];
  };
  const each = (fn: (x: number, y: number) => number) => a.map((x, i) => Math.fround(fn(x, b[i]!)));
  it('arithmetic', () => {
    expect(lanes((f) => f.simd(SIMD.f32x4_add))).toEqual(each((x, y) => x + y));
    expect(lanes((f) => f.simd(SIMD.f32x4_sub))).toEqual(each((x, y) => x - y));
    expect(lanes((f) => f.simd(SIMD.f32x4_mul))).toEqual(each((x, y) => x * y));
    expect(lanes((f) => f.simd(SIMD.f32x4_div))).toEqual(each((x, y) => x / y));
    expect(lanes((f) => f.simd(SIMD.f32x4_min))).toEqual(each(Math.min));
    expect(lanes((f) => f.simd(SIMD.f32x4_max))).toEqual(each(Math.max));
    expect(lanes((f) => f.simd(SIMD.f32x4_abs), 1)).toEqual(each(Math.abs));
    expect(lanes((f) => f.simd(SIMD.f32x4_neg), 1)).toEqual(each((x) => -x));
    expect(lanes((f) => f.simd(SIMD.f32x4_sqrt), 1)).toEqual(each(Math.sqrt));
  });
  it('comparisons and bitselect', () => {
    // lt mask selects a where a < b, else b: min by masks.
    const sel = (cmp: number) =>
      lanes((f) => {
        const [x, y] = [f.local('v128'), f.local('v128')];
        f.set(y).set(x);
        f.get(x).get(y).get(x).get(y).simd(cmp).simd(SIMD.v128_bitselect);
      });
    expect(sel(SIMD.f32x4_lt)).toEqual(each((x, y) => (x < y ? x : y)));
    expect(sel(SIMD.f32x4_gt)).toEqual(each((x, y) => (x > y ? x : y)));
    expect(sel(SIMD.f32x4_le)).toEqual(each((x, y) => (x <= y ? x : y)));
    expect(sel(SIMD.f32x4_ge)).toEqual(each((x, y) => (x >= y ? x : y)));
    expect(sel(SIMD.f32x4_eq)).toEqual(b);
    expect(sel(SIMD.f32x4_ne)).toEqual(a);
  });
  it('splat loads, splat, extract_lane and v128.const', () => {
    expect(lanes((f) => f.op(OP.drop).i32(8).splatLoad(), 1)).toEqual([9, 9, 9, 9]);
    const { f } = build([], ['f32'], (f) => {
      f.simd(SIMD.v128_const, ...new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
      f.f64(10).op(OP.f32_demote_f64).simd(SIMD.f32x4_splat).simd(SIMD.f32x4_add);
      f.simd(SIMD.f32x4_extract_lane, 2);
    });
    expect(f()).toBe(13);
  });
  it('saturating truncation never traps', () => {
    const { f } = build(['f64'], ['i32'], (f) => f.get(0).misc(MISC.i32_trunc_sat_f64_s));
    expect([f(NaN), f(1e20), f(-1e20), f(-2.7)]).toEqual([0, 2 ** 31 - 1, -(2 ** 31), -2]);
  });
});

describe('shared memory', () => {
  it('imports a shared memory whose flag byte can be turned back into a plain one', () => {
    const m = new ModuleBuilder(2, true);
    const f = new FuncBuilder([]);
    f.i32(8).i32(42).mem(OP.i32_store);
    m.func('f', { params: [], results: [] }, f);
    const bytes = m.encode();
    expect(bytes[m.memoryFlagAt]).toBe(0x03);
    const shared = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory: shared },
    });
    (inst.exports['f'] as () => void)();
    expect(new Int32Array(shared.buffer)[2]).toBe(42);
    // A plain memory is refused by the shared import, accepted once the flag says not shared.
    const plain = new WebAssembly.Memory({ initial: 2, maximum: 2 });
    const mod = new WebAssembly.Module(bytes);
    expect(() => new WebAssembly.Instance(mod, { env: { memory: plain } })).toThrow();
    bytes[m.memoryFlagAt] = 0x01;
    const inst2 = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory: plain },
    });
    (inst2.exports['f'] as () => void)();
    expect(new Int32Array(plain.buffer)[2]).toBe(42);
  });
});
