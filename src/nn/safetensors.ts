// The safetensors byte format: 8-byte little-endian header length, a JSON header
// {name: {dtype: 'F32', shape, data_offsets}}, then the raw little-endian data. Encoding and
// parsing only; checkpoint.ts owns files and models.
import { GraphError } from '../ir/errors.ts';
import type { Shape } from '../ir/shape.ts';
import { fmtShape, size } from '../ir/shape.ts';

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/** Serialize tensors (sorted by name, so equal params give byte-identical files). */
export function encodeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  // Null prototype: a tensor named '__proto__' must stay an ordinary key.
  const header = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // Pad the header with spaces to a multiple of 8 so the data starts aligned (as the spec advises).
  let json = JSON.stringify(header);
  const utf8 = new TextEncoder();
  json += ' '.repeat((8 - ((8 + utf8.encode(json).length) % 8)) % 8);
  const head = utf8.encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    for (const v of tensors[name]!.data) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}

/** Parse a safetensors buffer (F32 tensors only), validating it as the format specifies. */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  if (bytes.length < 8) throw fail(`file of ${bytes.length} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const big = view.getBigUint64(0, true);
  if (big > BigInt(bytes.length - 8))
    throw fail(`header length ${big} runs past the end of the file (${bytes.length} bytes)`);
  const n = Number(big);
  // The spec: the header starts with '{' (padding may only follow it), so a length that is
  // a few bytes off cannot land inside the JSON and still parse.
  if (bytes[8] !== 0x7b) throw fail('the header does not start with {');
  const header = parseHeader(bytes.subarray(8, 8 + n));
  const base = 8 + n;
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, e]) => checkEntry(name, e));
  checkTiling(entries, bytes.length - base);
  // Null prototype: tensor names such as '__proto__' stay ordinary keys.
  const out = Object.create(null) as Record<string, Tensor>;
  for (const e of entries) {
    const data = new Float32Array(e.count);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(base + e.lo + 4 * i, true);
    out[e.name] = { shape: e.shape, data };
  }
  return out;
}

interface Entry {
  readonly name: string;
  readonly shape: number[];
  readonly count: number;
  readonly lo: number;
  readonly hi: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseHeader(json: Uint8Array): Record<string, unknown> {
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
    header = JSON.parse(text);
  } catch {
    throw fail('the header is not valid UTF-8 JSON');
  }
  if (!isObject(header)) throw fail('the header is not a JSON object');
  // JSON.parse keeps the last of two equal keys: two tensors of one name would load one silently.
  const twice = repeatedKey(text);
  if (twice !== null) throw fail(`tensor ${JSON.stringify(twice)} is named twice in the header`);
  const meta = header['__metadata__'];
  if (
    meta !== undefined &&
    !(isObject(meta) && Object.values(meta).every((v) => typeof v === 'string'))
  )
    throw fail('__metadata__ is not an object of strings');
  return header;
}

/** The first key that the header's top-level object (valid JSON) repeats, or null. */
function repeatedKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      // A string at depth 1 followed by ':' is a top-level key.
      let k = j + 1;
      while (k < text.length && ' \t\r\n'.includes(text[k]!)) k++;
      if (depth === 1 && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      i = j;
    }
  }
  return null;
}

/** One header entry: an object with dtype F32, a shape of integers ≥ 0 and [begin, end]. */
function checkEntry(name: string, e: unknown): Entry {
  const at = `tensor ${JSON.stringify(name)}`;
  if (!isObject(e))
    throw fail(`${at}: header entry is ${e === null ? 'null' : typeof e}, not an object`);
  if (e['dtype'] !== 'F32')
    throw fail(`${at} has dtype ${JSON.stringify(e['dtype'])}; only F32 is supported`);
  const shape = e['shape'];
  if (!Array.isArray(shape) || !shape.every(isIndex))
    throw fail(`${at}: shape ${JSON.stringify(shape)} is not a list of integers ≥ 0`);
  const offsets = e['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex))
    throw fail(`${at}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  const [lo, hi] = offsets as [number, number];
  const count = size(shape);
  if (hi - lo !== count * 4) {
    throw fail(
      `${at} ${fmtShape(shape)} has data_offsets [${lo}, ${hi}]: ${hi - lo} bytes, but F32 × ${count} elements is ${count * 4}`,
    );
  }
  return { name, shape, count, lo, hi };
}

/** The spec: the entries' byte ranges cover the data section exactly, without holes or overlap. */
function checkTiling(entries: Entry[], dataBytes: number): void {
  let at = 0;
  for (const e of [...entries].sort((a, b) => a.lo - b.lo || a.hi - b.hi)) {
    if (e.lo !== at) {
      const what = e.lo < at ? 'overlaps the previous tensor' : `leaves a gap after byte ${at}`;
      throw fail(`tensor ${JSON.stringify(e.name)} at data_offsets [${e.lo}, ${e.hi}] ${what}`);
    }
    at = e.hi;
  }
  if (at !== dataBytes)
    throw fail(`the tensors cover ${at} bytes but the data section has ${dataBytes}`);
}

/** Does `head` (the first bytes of a file) start like a safetensors file (length, then `{`)? */
export function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 10) return false;
  const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getBigUint64(0, true);
  return n >= 2n && n < 100_000_000n && head[8] === 0x7b;
}
