// A tiny split kernel for the worker-thread runtime's tests (src/runtime/wasm-threads.ts), in
// Node and in a page: k#product(t, nt) stores 10·(t + 1) at i32 [t]; k#epilogue() stores their
// sum at i32 [8]. Three threads give [10, 20, 30] and 60.
import { FuncBuilder, ModuleBuilder, OP } from '../../codegen/wasm/encoder.ts';
import type { ThreadPlan } from '../../src/runtime/wasm-threads.ts';

export const TINY_PLAN: ThreadPlan = {
  threads: 3,
  split: ['k'],
  imports: [],
  product: '#product',
  epilogue: '#epilogue',
};

export function tinyModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(1, true);
  const product = new FuncBuilder(['i32', 'i32']);
  product.get(0).i32(2).op(OP.i32_shl);
  product.get(0).i32(1).op(OP.i32_add).i32(10).op(OP.i32_mul).mem(OP.i32_store);
  m.func('k#product', { params: ['i32', 'i32'], results: [] }, product);
  const epilogue = new FuncBuilder([]);
  epilogue.i32(32).i32(0).mem(OP.i32_load).i32(0).mem(OP.i32_load, 4).op(OP.i32_add);
  epilogue.i32(0).mem(OP.i32_load, 8).op(OP.i32_add).mem(OP.i32_store);
  m.func('k#epilogue', { params: [], results: [] }, epilogue);
  return m.encode();
}
