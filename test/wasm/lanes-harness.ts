// Runs lane code (codegen/wasm/lanemath.ts, widemath.ts) over arrays in a tiny wasm module, four
// lanes at a time, with counting Math imports for the functions that fall back to Math.
import { FuncBuilder, ModuleBuilder, OP } from '../../codegen/wasm/encoder.ts';
import { laneMath } from '../../codegen/wasm/lanemath.ts';
import type { LaneMath } from '../../codegen/wasm/lanemath.ts';
import { lanePow } from '../../codegen/wasm/widemath.ts';

const FALLBACKS = { sin: Math.sin, cos: Math.cos, tan: Math.tan };

/**
 * `op` over `xs` (length a multiple of 4), or pow(xs, ys); `calls.n` counts the Math calls made.
 */
export function runLanes(
  op: LaneMath | 'pow',
  xs: Float32Array,
  calls = { n: 0 },
  ys?: Float32Array,
): Float32Array {
  const n = xs.length;
  const pages = Math.ceil((n * 8 + 16) / 65536);
  const m = new ModuleBuilder(pages);
  const math = { params: ['f64'], results: ['f64'] } as const;
  const fns = {
    sin: m.importFunc('sin', math),
    cos: m.importFunc('cos', math),
    tan: m.importFunc('tan', math),
  };
  const f = new FuncBuilder([]);
  const at = f.local('i32');
  f.i32(16).set(at);
  f.op(OP.loop, 0x40);
  f.get(at).get(at).v128Load();
  if (op === 'pow') {
    f.get(at).v128Load(n * 4);
    lanePow(f);
  } else laneMath(f, op, (name) => fns[name]);
  f.v128Store();
  f.get(at)
    .i32(16)
    .op(OP.i32_add)
    .tee(at)
    .i32(16 + n * 4)
    .op(OP.i32_lt_s)
    .op(OP.br_if, 0);
  f.op(OP.end);
  m.func('f', { params: [], results: [] }, f);
  const counted = (fn: (x: number) => number) => (x: number) => (calls.n++, fn(x));
  const memory = new WebAssembly.Memory({ initial: pages });
  const env: Record<string, WebAssembly.ImportValue> = { memory };
  for (const [name, fn] of Object.entries(FALLBACKS)) env[name] = counted(fn);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env });
  new Float32Array(memory.buffer, 16, n).set(xs);
  if (ys) new Float32Array(memory.buffer, 16 + n * 4, n).set(ys);
  (inst.exports['f'] as () => void)();
  return new Float32Array(memory.buffer, 16, n).slice();
}

/** One float32 ulp at v's magnitude (that of 2^−126 below the normals; 0 at 0 and ∞). */
export const ulp = (v: number) => {
  const a = Math.abs(Math.fround(v));
  if (a === 0 || !Number.isFinite(a)) return 0;
  const e = Math.floor(Math.log2(a));
  return 2 ** (Math.max(e, -126) - 23);
};
