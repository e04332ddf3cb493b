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

/** Hands out identifiers that are unique within one generated module. */
export class NameManager {
  private readonly taken = new Set<string>();
  /** `local` matches the renderers' own short local names (loop indices, temporaries). */
  constructor(
    reserved: Iterable<string> = [],
    private readonly local: RegExp = /^$/,
  ) {
    for (const r of reserved) this.taken.add(r);
  }
  take(name: string): string {
    let base = sanitize(name);
    if (this.local.test(base)) base = `${base}_`;
    let id = base;
    for (let k = 2; this.taken.has(id) || this.local.test(id); k++) id = `${base}_${k}`;
    this.taken.add(id);
    return id;
  }
}

/** Text that is safe inside a `//` comment (no line breaks of any kind). */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '* /');
}

/** A string literal (for property keys and messages): JSON quoting is valid TS and WGSL-free. */
export function quote(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
