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

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: number[];
  readonly data_offsets: [number, number];
}

const fail = (msg: string) => new GraphError('checkpoint', `checkpoint: ${msg}`);

/** Serialize tensors (sorted by name, so equal params give byte-identical files). */
export function encodeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
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

/** Parse a safetensors buffer (F32 tensors only), validating the header against the data. */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  if (bytes.length < 8) throw fail(`file of ${bytes.length} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw fail(`header length ${n} runs past the end of the file`);
  let header: Record<string, HeaderEntry>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw fail('the header is not valid JSON');
  }
  const base = 8 + n;
  const out: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (e.dtype !== 'F32')
      throw fail(`tensor '${name}' has dtype ${e.dtype}; only F32 is supported`);
    const [lo, hi] = e.data_offsets;
    if (hi - lo !== size(e.shape) * 4 || base + hi > bytes.length || lo < 0) {
      throw fail(`tensor '${name}' ${fmtShape(e.shape)} has bad data_offsets [${lo}, ${hi}]`);
    }
    const data = new Float32Array(size(e.shape));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(base + lo + 4 * i, true);
    out[name] = { shape: e.shape, data };
  }
  return out;
}
