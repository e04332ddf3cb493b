// Silent wrong results, checkpoints: the loader validates files as the safetensors format says
// (header object of objects, offsets tiling the data section in order, sizes = dtype × shape),
// and a seeded byte-mutation fuzzer: every mutated file gives a clear error or the exact values.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GraphError } from '../../src/ir/errors.ts';
import { mulberry32, zeros } from '../../src/ir/init.ts';
import { Graph } from '../../src/ir/graph.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.ts';
import type { Tensor } from '../../src/nn/safetensors.ts';

const TENSORS: Record<string, Tensor> = {
  a: { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
  b: { shape: [3], data: Float32Array.of(-1, 0.5, 7) },
  c: { shape: [], data: Float32Array.of(42) },
};

/** A file with `header` as its JSON header and `data` (bytes) after it, no padding. */
function rawFile(header: unknown, dataBytes: number, headerLength?: number): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  return out;
}

/** The message of the GraphError `fn` throws (fails on any other error, or none). */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return (e as Error).message;
  }
  throw new Error('expected a GraphError');
}

const entry = (shape: number[], lo: number, hi: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [lo, hi],
});

describe('checkpoint validation (as the safetensors format specifies)', () => {
  test('a header length a few bytes short is an error, not shifted data', () => {
    const good = encodeSafetensors(TENSORS);
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    for (const short of [1, 2, 4]) {
      const bad = good.slice();
      new DataView(bad.buffer).setBigUint64(0, BigInt(n - short), true);
      expect(message(() => decodeSafetensors(bad))).toMatch(/^checkpoint: /);
    }
  });

  test('overlapping, gapped, fractional and out-of-order-size offsets are errors', () => {
    const cases: [unknown, number, RegExp][] = [
      [{ a: entry([2], 0, 8), b: entry([2], 4, 12) }, 12, /overlaps the previous tensor/],
      [{ a: entry([2], 0, 8), b: entry([2], 12, 20) }, 20, /leaves a gap after byte 8/],
      [{ a: entry([2], 0.5, 8.5) }, 9, /data_offsets \[0.5,8.5\] is not \[begin, end\]/],
      [{ a: entry([3], 0, 8) }, 8, /8 bytes, but F32 × 3 elements is 12/],
      [{ a: entry([2], 0, 8) }, 12, /cover 8 bytes but the data section has 12/],
      [{ a: entry([2.5], 0, 8) }, 8, /shape \[2.5\] is not a list of integers/],
      [{ a: entry([-2], 0, 8) }, 8, /shape \[-2\] is not a list of integers/],
    ];
    for (const [header, bytes, want] of cases)
      expect(message(() => decodeSafetensors(rawFile(header, bytes)))).toMatch(want);
  });

  test('null and non-object entries, a non-object header and bad metadata are GraphErrors', () => {
    const cases: [unknown, RegExp][] = [
      [{ a: null }, /tensor "a": header entry is null, not an object/],
      [{ a: 3 }, /header entry is number, not an object/],
      [{ a: { dtype: 'F32', shape: null, data_offsets: [0, 0] } }, /shape null is not a list/],
      [{ a: { dtype: 'F32', shape: [], data_offsets: null } }, /data_offsets null is not/],
      [{ a: { shape: [], data_offsets: [0, 4] } }, /dtype undefined; only F32/],
      ['[1, 2]', /does not start with \{/],
      ['{"__metadata__": {"k": 1}}', /__metadata__ is not an object of strings/],
      ['{"a": ', /not valid UTF-8 JSON/],
    ];
    for (const [header, want] of cases)
      expect(message(() => decodeSafetensors(rawFile(header, 4)))).toMatch(want);
  });

  test('a name given twice is an error, whatever the offsets or escapes (JSON.parse keeps one)', () => {
    const a = '"dtype": "F32", "shape": [1]';
    const cases = [
      `{"a": {${a}, "data_offsets": [0, 4]}, "a": {${a}, "data_offsets": [0, 4]}}`,
      `{"a": {${a}, "data_offsets": [0, 4]},  "a"  : {${a}, "data_offsets": [4, 8]}}`,
      `{"a": {${a}, "data_offsets": [0, 4]}, "\\u0061": {${a}, "data_offsets": [4, 8]}}`,
    ];
    for (const header of cases) {
      const bytes = header.includes('[4, 8]') ? 8 : 4;
      expect(message(() => decodeSafetensors(rawFile(header, bytes)))).toBe(
        'checkpoint: tensor "a" is named twice in the header',
      );
    }
    // Keys repeated inside an entry or the metadata are not tensor names.
    const nested = `{"__metadata__": {"a": "x"}, "a": {${a}, "data_offsets": [0, 4]}}`;
    expect(Object.keys(decodeSafetensors(rawFile(nested, 4)))).toEqual(['a']);
  });

  test('a bad file named in the error: loadCheckpoint says which file', async () => {
    const g = new Graph('ckpt_path');
    g.param('a', [2, 3], zeros);
    const dir = await mkdtemp(join(tmpdir(), 'gradc-ckpt-path-'));
    const path = join(dir, 'cut.safetensors');
    await writeFile(path, encodeSafetensors(TENSORS).subarray(0, 30));
    const exe = { graph: g, setParams: () => {} };
    await expect(loadCheckpoint(path, exe)).rejects.toThrow(
      `checkpoint: '${path}': header length `,
    );
  });

  test("a tensor named '__proto__' round-trips as an ordinary name", () => {
    const t = Object.create(null) as Record<string, Tensor>;
    t['__proto__'] = { shape: [2], data: Float32Array.of(3, 4) };
    t['constructor'] = { shape: [], data: Float32Array.of(5) };
    const back = decodeSafetensors(encodeSafetensors(t));
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'constructor']);
    expect([...back['__proto__']!.data]).toEqual([3, 4]);
    expect([...back['constructor']!.data]).toEqual([5]);
  });

  test('a non-finite param is never saved unless asked', async () => {
    const g = new Graph('nan_ckpt');
    g.param('w', [3], zeros);
    const dir = await mkdtemp(join(tmpdir(), 'gradc-ckpt-nan-'));
    const exe = { graph: g, params: { w: Float32Array.of(1, NaN, 2) } };
    await expect(saveCheckpoint(join(dir, 'w.safetensors'), exe)).rejects.toThrow(
      /refusing to save .*param 'w'\[1\] = NaN is not finite/,
    );
    expect(await readdir(dir)).toEqual([]);
    await saveCheckpoint(join(dir, 'w.safetensors'), exe, {}, { allowNonFinite: true });
    expect(await readdir(dir)).toEqual(['w.safetensors']);
  });
});

describe('checkpoint byte-mutation fuzzer (seeded)', () => {
  /** Every outcome: a clear checkpoint GraphError, or the original names with exact values. */
  function outcome(bytes: Uint8Array): 'error' | 'same' {
    let back: Record<string, Tensor>;
    try {
      back = decodeSafetensors(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(GraphError);
      expect((e as Error).message).toMatch(/^checkpoint: /);
      return 'error';
    }
    // A mutated name or shape is a different (valid) file: loading it into the model fails on
    // the name or shape check. What may never happen is different values under the same name.
    for (const [name, t] of Object.entries(TENSORS)) {
      const got = back[name];
      if (got && got.data.length === t.data.length) expect([...got.data]).toEqual([...t.data]);
    }
    return 'same';
  }

  test('400 mutations of the header region: an error or the exact original values', () => {
    const good = encodeSafetensors(TENSORS, { model: 'm.ts' });
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const rand = mulberry32(20261125);
    const counts = { error: 0, same: 0 };
    for (let k = 0; k < 400; k++) {
      let bytes = good.slice();
      const kind = k % 4;
      const at = Math.floor(rand() * (8 + n));
      if (kind === 0) bytes[at] = Math.floor(rand() * 256);
      else if (kind === 1) bytes[at] = bytes[at]! ^ (1 << Math.floor(rand() * 8));
      else if (kind === 2) bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
      else {
        // insert or delete one byte anywhere: the data section no longer tiles
        const cut = Math.floor(rand() * bytes.length);
        const ins = rand() < 0.5;
        const mid = ins ? Uint8Array.of(Math.floor(rand() * 256)) : new Uint8Array(0);
        bytes = Uint8Array.from([
          ...bytes.subarray(0, cut),
          ...mid,
          ...bytes.subarray(ins ? cut : cut + 1),
        ]);
      }
      counts[outcome(bytes)]++;
    }
    // Both outcomes occur (padding and digit mutations can keep a file valid), errors dominate.
    expect(counts.error).toBeGreaterThan(200);
    expect(counts.error + counts.same).toBe(400);
  });
});
