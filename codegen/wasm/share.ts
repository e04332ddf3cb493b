// Kernel bodies shared by kernels that differ only in where their buffers are: such a body reads
// each buffer's address from a global (expr.ts `rebase`), and the kernel's own exported function
// sets the globals and calls it. A graph of many repeated small kernels (a 100k-node graph has ~70k
// wasm kernels and a few hundred distinct ones) then compiles to a module that grows by a few bytes
// per kernel, and each distinct body is rendered once: kernels with equal keys (their structure
// with buffers numbered) reuse the bodies of the first, and bodies that come out byte-identical
// anyway are defined once (encoder.ts `sharedFunc`).
import type { BufferInfo, Kernel } from '../../src/schedule/kernel.ts';
import type { Expr } from '../../src/schedule/expr.ts';
import { ExprIds, readsOf, writesOf } from '../../src/schedule/walk.ts';
import { FuncBuilder, OP, uleb } from './encoder.ts';
import type { ModuleBuilder } from './encoder.ts';
import type { BufferPlace } from './expr.ts';

const VOID = { params: [], results: [] } as const;

/** The buffers a kernel reads and writes, in a stable order: the i-th is at global i. */
export function buffersOf(k: Kernel): readonly string[] {
  return [...new Set([...readsOf(k), ...writesOf(k)])];
}

const isExpr = (v: unknown): v is Expr =>
  typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string';

export class SharedBodies {
  /** globals[i]: the address of the current kernel's i-th buffer. */
  private readonly globals: number[] = [];
  /** Expression structure numbered alike across kernels (buffers renamed to their index). */
  private readonly exprKeys = new Map<string, number>();
  /** The bodies (function indices) of each kernel key rendered so far. */
  private readonly bodies = new Map<string, readonly number[]>();

  constructor(
    private readonly mod: ModuleBuilder,
    /** Where each buffer of the program is (constant addresses). */
    private readonly place: (buf: string) => BufferPlace,
    private readonly info: (buf: string) => BufferInfo,
    /** Reuse bodies by key; without, every kernel is rendered (and equal bytes still shared). */
    private readonly reuse = true,
  ) {}

  private global(i: number): number {
    while (this.globals.length <= i) this.globals.push(this.mod.global());
    return this.globals[i]!;
  }

  /**
   * kernel(): set the globals to kernel `k`'s buffers, then call its bodies. `render` renders
   * them with the places it is given (the kernel's buffers through globals), unless a kernel
   * with the same key and `context` (what else the rendering depends on) already did.
   */
  kernel(
    k: Kernel,
    context: string,
    render: (place: (buf: string) => BufferPlace) => readonly FuncBuilder[],
  ): FuncBuilder {
    const bufs = buffersOf(k);
    const index = new Map(bufs.map((b, i) => [b, i]));
    const key = `${this.keyOf(k, bufs, index)} ${context}`;
    let bodies = this.reuse ? this.bodies.get(key) : undefined;
    if (bodies === undefined) {
      const place = (buf: string): BufferPlace => {
        const i = index.get(buf);
        const p = this.place(buf);
        return i === undefined ? p : { at: 0, size: p.size, dtype: p.dtype, base: this.global(i) };
      };
      bodies = render(place).map((b) => this.mod.sharedFunc(VOID, b));
      this.bodies.set(key, bodies);
    }
    const f = new FuncBuilder([]);
    bufs.forEach((b, i) => {
      f.i32(this.place(b).at).op(OP.global_set, ...uleb(this.global(i)));
    });
    for (const body of bodies) f.call(body);
    return f;
  }

  /**
   * What a body rendered for `k` depends on: every field of the kernel but its name and notes,
   * buffers as their index, expressions as structural ids (small keys, however deep), and each
   * buffer's type, size and role.
   */
  private keyOf(k: Kernel, bufs: readonly string[], index: ReadonlyMap<string, number>): string {
    const ids = new ExprIds((buf) => `#${index.get(buf)}`, this.exprKeys);
    const skeleton = JSON.stringify(k, (field, v: unknown) => {
      if (field === 'name' || field === 'notes' || field === 'ops') return undefined;
      if (field === 'buf' && typeof v === 'string') return index.get(v);
      return isExpr(v) ? ids.of(v) : v;
    });
    const infos = bufs.map((b) => {
      const i = this.info(b);
      return `${i.dtype}:${i.size}:${i.role}`;
    });
    return `${skeleton} ${infos.join(' ')}`;
  }
}
