// One dispatch's shader as data: renderers write buffer accesses as placeholders; here they become
// bindings numbered from 0 in order of first use, named so they never meet the body's own names.
import type { ShaderData } from '../../src/runtime/wgsl-device.ts';
import { lines } from './code.ts';
import type { Code } from './code.ts';
import { helpersCalled } from './helpers.ts';
import { bindNames, IDENT } from '../names.ts';

/** What a placeholder stands for: a buffer (scalar or vec4 view) or a whole arena. */
export interface Bound {
  /** The program-wide name of the buffer or arena (used unless the body already has it). */
  readonly name: string;
  readonly type: string;
  readonly doc: string;
  readonly arena: number;
  readonly offset: number;
  readonly size: number;
}

/** Placeholders for bound resources: `\u0001n\u0002` can collide with no WGSL text. */
export class Placeholders {
  private readonly keys = new Map<string, number>();
  readonly bound: Bound[] = [];
  of(key: string, what: () => Bound): string {
    let n = this.keys.get(key);
    if (n === undefined) {
      n = this.bound.length;
      this.keys.set(key, n);
      this.bound.push(what());
    }
    return `\u0001${n}\u0002`;
  }
}

const PLACEHOLDER = /\u0001(\d+)\u0002/g;
/** Names the body declares itself: `let x`, `var x`, and the entry's parameters `) wid: vec3u`. */
const DECLARED = /\b(?:let|var)\s+([A-Za-z_]\w*)|\)\s*([A-Za-z_]\w*)\s*:/g;

export interface RenderedShader {
  readonly shader: ShaderData;
  /** Equal for shaders that differ only in names (one pipeline serves them all). */
  readonly key: string;
  /** The bindings in binding order. */
  readonly bindings: readonly Bound[];
  /** The entry function with this dispatch's own names (for the .wgsl file). */
  readonly text: string;
  /** Workgroup arrays (by name) and helpers (by key) the module declares. */
  readonly uses: readonly string[];
}

/**
 * The module-scope name of binding `binding` of `b` (its program-wide declaration: kernels that
 * bind the same resource at the same number share one), never one of `avoid` (the body's names).
 */
export type Declare = (b: Bound, binding: number, avoid: ReadonlySet<string>) => string;

/**
 * Resolves the placeholders of one entry point's code: binding n is the n-th resource the body
 * mentions, named by `declare`.
 */
export function resolveShader(
  entry: string,
  code: readonly Code[],
  ph: Placeholders,
  shared: ReadonlyMap<string, string>,
  declare: Declare,
): RenderedShader {
  const raw = lines(code).join('\n');
  const idents = new Set(raw.match(IDENT) ?? []);
  const locals = new Set([...raw.matchAll(DECLARED)].map((m) => m[1] ?? m[2]!));
  const order: number[] = [];
  for (const m of raw.matchAll(PLACEHOLDER)) {
    const n = Number(m[1]);
    if (!order.includes(n)) order.push(n);
  }
  // A binding avoids the body's other names (workgroup arrays, helpers, attribute words); a local
  // spelled like a binding is renamed instead, so user names keep their spelling.
  const others = new Set([...idents].filter((id) => !locals.has(id)));
  const names = new Map<number, string>();
  order.forEach((n, binding) => names.set(n, declare(ph.bound[n]!, binding, others)));
  const uses = [
    ...[...shared.keys()].filter((s) => idents.has(s)).sort(),
    ...helpersCalled(idents),
  ];
  const bindings = order.map((n) => ph.bound[n]!);
  const byIndex = ph.bound.map((_, n) => names.get(n) ?? '');
  const text = bindNames(raw.split('\n'), byIndex, (id) => locals.has(id)).join('\n');
  const canonical = raw
    .replace(PLACEHOLDER, (_, n: string) => `b${order.indexOf(Number(n))}`)
    .replace(`fn ${entry}(`, 'fn main(');
  const types = bindings.map((b) => b.type).join(',');
  const key = `${types}|${uses.join(',')}|${canonical}`;
  const shader: ShaderData = {
    key: digest(key),
    entry,
    bindings: order.map((n, i) => [names.get(n)!, bindings[i]!.type] as const),
    uses,
    body: text,
    line: 0,
  };
  return { shader, key, bindings, text, uses };
}

/**
 * A 106-bit digest of a shader's names-free code (cyrb53 under two seeds): the key under which
 * executables on one device share its pipeline (src/runtime/wgsl-device.ts).
 */
export function digest(text: string): string {
  const part = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
  };
  return `${part(1)}-${part(2)}`;
}
