// The IDX file format of the original MNIST distribution: a 4-byte magic number (two zero bytes,
// a dtype code, the number of dimensions), one big-endian u32 per dimension, then the data.
import { GraphError } from '../../ir/errors.ts';

export type IdxDType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export interface IdxArray {
  readonly dtype: IdxDType;
  readonly dims: readonly number[];
  /** The elements in row-major order, as numbers of the file's dtype. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** The dtype codes of the format, and the bytes each element takes. */
const DTYPES: ReadonlyMap<number, { readonly dtype: IdxDType; readonly bytes: number }> = new Map([
  [0x08, { dtype: 'u8', bytes: 1 }],
  [0x09, { dtype: 'i8', bytes: 1 }],
  [0x0b, { dtype: 'i16', bytes: 2 }],
  [0x0c, { dtype: 'i32', bytes: 4 }],
  [0x0d, { dtype: 'f32', bytes: 4 }],
  [0x0e, { dtype: 'f64', bytes: 8 }],
]);

/** What the caller requires of a file: its dtype and some or all of its dims (null: any). */
export interface IdxExpect {
  readonly dtype?: IdxDType;
  readonly dims?: readonly (number | null)[];
}

export function idxFail(what: string, detail: string): never {
  throw new GraphError('input', `idx: ${what}: ${detail}`);
}

/** Decode big-endian elements (multi-byte dtypes) into a typed array of the host's order. */
function decode(view: DataView, offset: number, n: number, dtype: IdxDType): IdxArray['data'] {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, n);
  if (dtype === 'u8') return bytes.slice();
  if (dtype === 'i8') return new Int8Array(bytes.slice().buffer);
  const out =
    dtype === 'i16'
      ? new Int16Array(n)
      : dtype === 'i32'
        ? new Int32Array(n)
        : dtype === 'f32'
          ? new Float32Array(n)
          : new Float64Array(n);
  const size = out.BYTES_PER_ELEMENT;
  for (let i = 0; i < n; i++) {
    const at = offset + i * size;
    if (dtype === 'i16') out[i] = view.getInt16(at);
    else if (dtype === 'i32') out[i] = view.getInt32(at);
    else if (dtype === 'f32') out[i] = view.getFloat32(at);
    else out[i] = view.getFloat64(at);
  }
  return out;
}

/**
 * Parse an IDX file's bytes. `what` names the file in errors; a wrong magic number, an unknown
 * dtype, a header or body that is too short or too long, or a mismatch with `expect` throws.
 */
export function parseIdx(buf: Uint8Array, what = 'buffer', expect: IdxExpect = {}): IdxArray {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4) idxFail(what, `${buf.length} bytes is too short for the 4-byte magic number`);
  const magic = view.getUint32(0);
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (buf[0] !== 0 || buf[1] !== 0) idxFail(what, `bad magic number ${hex} (not an IDX file?)`);
  const type = DTYPES.get(buf[2]!);
  if (!type) idxFail(what, `unknown dtype code 0x${buf[2]!.toString(16)} in magic number ${hex}`);
  const rank = buf[3]!;
  if (rank === 0) idxFail(what, `magic number ${hex} declares 0 dimensions`);
  const header = 4 + 4 * rank;
  if (buf.length < header) {
    idxFail(what, `truncated header: ${rank} dimensions need ${header} bytes, got ${buf.length}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const body = n * type.bytes;
  if (buf.length !== header + body) {
    const kind = buf.length < header + body ? 'truncated' : 'trailing bytes';
    idxFail(
      what,
      `${kind}: ${type.dtype}[${dims.join(',')}] needs ${header + body} bytes, got ${buf.length}`,
    );
  }
  if (expect.dtype && expect.dtype !== type.dtype) {
    idxFail(what, `expected dtype ${expect.dtype}, got ${type.dtype}`);
  }
  const want = expect.dims;
  if (want && (want.length !== rank || want.some((d, i) => d !== null && d !== dims[i]))) {
    const fmt = want.map((d) => (d === null ? '?' : String(d))).join(',');
    idxFail(what, `expected dims [${fmt}], got [${dims.join(',')}]`);
  }
  return { dtype: type.dtype, dims, data: decode(view, header, n, type.dtype) };
}

/** Encode an array as IDX bytes (big-endian), the inverse of parseIdx: for tests and tools. */
export function encodeIdx(a: IdxArray): Uint8Array {
  const code = [...DTYPES].find(([, t]) => t.dtype === a.dtype)![0];
  const size = DTYPES.get(code)!.bytes;
  const header = 4 + 4 * a.dims.length;
  const out = new Uint8Array(header + a.data.length * size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (code << 8) | a.dims.length);
  a.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < a.data.length; i++) {
    const at = header + i * size;
    const v = a.data[i]!;
    if (a.dtype === 'u8') view.setUint8(at, v);
    else if (a.dtype === 'i8') view.setInt8(at, v);
    else if (a.dtype === 'i16') view.setInt16(at, v);
    else if (a.dtype === 'i32') view.setInt32(at, v);
    else if (a.dtype === 'f32') view.setFloat32(at, v);
    else view.setFloat64(at, v);
  }
  return out;
}
