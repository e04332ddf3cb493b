// Turning user names into safe identifiers and safe comment text for generated code.
// Any string is accepted: quotes, comment terminators, newlines, reserved words, non-ASCII.

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw ' +
    'true try typeof var void while with yield let static implements interface package private ' +
    'protected public await async of any boolean number string symbol type from as undefined NaN ' +
    'Infinity arguments eval Math Float32Array Float64Array Int32Array Object Array Error ' +
    // WGSL keywords and builtins, so one sanitizer serves both renderers.
    'fn var let struct loop array vec2 vec3 vec4 f32 i32 u32 bool mat2x2 mat4x4 select min max ' +
    'ptr storage uniform workgroup read_write read write override alias const_assert discard ' +
    'enable requires diagnostic private function sampler texture_2d bitcast'
  ).split(/\s+/),
);

/** A valid identifier derived from `name` (not yet unique). */
export function sanitize(name: string): string {
  let id = name.normalize('NFKD').replace(/[^A-Za-z0-9_]+/g, '_');
  id = id
    .replace(/_+/g, '_')
    .replace(/^_(?=.)/, '')
    .replace(/(?<=.)_$/, '');
  if (id === '' || id === '_') id = 'v';
  if (/^[0-9]/.test(id)) id = `v${id}`;
  if (id.startsWith('__')) id = id.replace(/^_+/, 'v_');
  if (RESERVED.has(id)) id = `${id}_`;
  return id;
}

/**
 * Hands out identifiers that are unique within one generated module. The renderers' own locals
 * (loop indices, temporaries, registers) are not reserved here: a user name keeps its spelling
 * and a clashing local yields instead (`bindNames`).
 */
export class NameManager {
  private readonly taken = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }
  take(name: string): string {
    const base = sanitize(name);
    let id = base;
    for (let k = 2; this.taken.has(id); k++) id = `${base}_${k}`;
    this.taken.add(id);
    return id;
  }
  /** Mark `id` (taken elsewhere) as used, so that later names avoid it. */
  reserve(id: string): void {
    this.taken.add(id);
  }
}

/** Stands for bound name `n` while a body is rendered: no generated text contains U+0001. */
export const placeholder = (n: number) => `\u0001${n}\u0002`;
const PLACEHOLDER = /\u0001(\d+)\u0002/g;
/** Identifiers of generated code: not members (`.x`), not literal suffixes (`16i`, `1e5`). */
export const IDENT = /(?<![.\w$])[A-Za-z_$][\w$]*/g;
const isComment = (line: string) => line.trimStart().startsWith('//');

/**
 * Resolves the placeholders of one function body to `names` (the user's spelling). A generated
 * local spelled like one of them is renamed instead (`i` → `i_`; sanitized names never end in
 * `_`), so `p`, `i`, `t1` or `acc` come out as written. `isLocal` says which identifiers the body
 * declares itself (default: all, for renderers whose other identifiers can never be user names);
 * `names` must already avoid the others. Lines are renamed by identifier, comments left alone.
 */
export function bindNames(
  body: readonly string[],
  names: readonly string[],
  isLocal: (id: string) => boolean = () => true,
): string[] {
  const code = body.filter((l) => !isComment(l));
  const idents = new Set(code.flatMap((l) => l.match(IDENT) ?? []));
  const bound = new Set(names);
  const renamed = new Map<string, string>();
  for (const id of idents) {
    if (!bound.has(id) || !isLocal(id)) continue;
    let fresh = `${id}_`;
    while (idents.has(fresh) || bound.has(fresh)) fresh += '_';
    renamed.set(id, fresh);
  }
  return body.map((line) => {
    const own = isComment(line) ? line : line.replace(IDENT, (id) => renamed.get(id) ?? id);
    return own.replace(PLACEHOLDER, (_, n: string) => names[Number(n)]!);
  });
}

/**
 * Characters shown as `\u{…}` escapes in comments: every control (Cc: includes LF, CR, and
 * U+000B, U+000C, U+0085, which WGSL counts as line breaks), format characters (Cf: bidi
 * overrides, zero-width), the line and paragraph separators (JS line terminators), and lone
 * surrogates. What remains cannot end a `//` comment in TypeScript or WGSL, nor be misread.
 */
const UNSAFE_IN_COMMENT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** Text that is safe inside a `//` or `/* *\/` comment of either target. */
export function commentText(text: string): string {
  const escaped = text.replace(
    UNSAFE_IN_COMMENT,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`,
  );
  // Both comment tokens, so a block comment (nested in WGSL) can neither end nor open.
  return escaped.replace(/\*\//g, '* /').replace(/\/\*/g, '/ *');
}

/**
 * A number as a TypeScript literal: non-finite values as the explicit constants, -0 kept.
 * Anything that is not a number is refused, so no value can carry code into a module.
 */
export function numberLiteral(v: unknown): string {
  if (typeof v !== 'number') throw new TypeError(`not a number: ${typeof v}`);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A string literal (for property keys and messages): JSON quoting is valid TS and WGSL-free. */
export function quote(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
