// Checkpoints: safetensors layout, save → load → identical outputs, name/shape mismatch errors.
import { mkdtemp, readFile, writeFile, chmod, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { Node } from '../../src/ir/node.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/checkpoint.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.ts';
import { dense } from '../../src/nn/layers.ts';
import { sparseCrossEntropy } from '../../src/nn/losses.ts';
import { adam } from '../../src/nn/optim.ts';
import { evalStep, trainStep } from '../../src/nn/train.ts';

const build = (hidden: number) => (x: Node) => dense(dense(x, hidden, { activation: 'relu' }), 3);
const spec = (hidden: number) => ({
  input: { shape: [2, 4] },
  target: { shape: [2], dtype: 'i32' as const },
  build: build(hidden),
  loss: sparseCrossEntropy,
  optimizer: adam(),
});
const X = [0.1, -0.2, 0.3, 0.4, 1, 0.5, -1, 0];
const dir = () => mkdtemp(join(tmpdir(), 'gradc-ckpt-'));

describe('safetensors', () => {
  test('layout: u64 LE header length, JSON header, aligned F32 data', () => {
    const bytes = encodeSafetensors({
      b: { shape: [2], data: Float32Array.of(1, 2) },
      a: { shape: [], data: Float32Array.of(-1) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    expect(header).toEqual({
      a: { dtype: 'F32', shape: [], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    });
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 8, true)).toBe(2);
    const back = decodeSafetensors(bytes);
    expect([...back['b']!.data]).toEqual([1, 2]);
    expect(() => decodeSafetensors(bytes.subarray(0, 20))).toThrow(
      /checkpoint: header length \d+ runs past/,
    );
  });
});

describe('checkpoints', () => {
  test('save → load → identical outputs and optimizer state', async () => {
    const path = join(await dir(), 'model.safetensors');
    const a = await compile(trainStep(spec(5)), { target: 'interp', seed: 1 });
    for (let i = 0; i < 3; i++) await a.step({ x: X, y: [0, 2], lr: [0.1] });
    await saveCheckpoint(path, a);
    const savedW = Float32Array.from(a.params['dense1.W']!);
    const b = await compile(trainStep(spec(5)), { target: 'interp', seed: 2 });
    await loadCheckpoint(path, b);
    for (const name of a.graph.params.keys())
      expect([...b.params[name]!]).toEqual([...a.params[name]!]);
    const fa = await a.step({ x: X, y: [1, 1], lr: [0.1] });
    const fb = await b.step({ x: X, y: [1, 1], lr: [0.1] });
    expect([...fb['pred']!]).toEqual([...fa['pred']!]);
    // An eval model loads the train checkpoint, ignoring the optimizer state.
    const infer = await compile(evalStep({ input: { shape: [2, 4] }, build: build(5) }), {
      target: 'interp',
    });
    await loadCheckpoint(path, infer);
    expect([...infer.params['dense1.W']!]).toEqual([...savedW]);
  });

  test('shape and name mismatches name the param and both shapes', async () => {
    const path = join(await dir(), 'model.safetensors');
    await saveCheckpoint(path, await compile(trainStep(spec(5)), { target: 'interp' }));
    const wider = await compile(trainStep(spec(6)), { target: 'interp' });
    await expect(loadCheckpoint(path, wider)).rejects.toThrow(
      "checkpoint: param 'dense1.W' has shape [4,5] in the checkpoint but [4,6] in the model",
    );
    const deeper = await compile(
      evalStep({ input: { shape: [2, 4] }, build: (x) => dense(build(5)(x), 2) }),
      { target: 'interp' },
    );
    await expect(loadCheckpoint(path, deeper)).rejects.toThrow(
      "checkpoint: param 'dense3.W' [3,2] of the model is missing",
    );
    await expect(loadCheckpoint(join(path, 'nope'), deeper)).rejects.toThrow(/could not read/);
  });

  test.skipIf(process.getuid?.() === 0)(
    'an unwritable directory fails the save and keeps the previous file',
    async () => {
      const d = await dir();
      const path = join(d, 'model.safetensors');
      await writeFile(path, 'previous');
      await chmod(d, 0o555);
      try {
        await expect(
          saveCheckpoint(path, await compile(trainStep(spec(5)), { target: 'interp' })),
        ).rejects.toThrow(/could not save/);
      } finally {
        await chmod(d, 0o755);
      }
      expect(await readFile(path, 'utf8')).toBe('previous');
      expect(await readdir(d)).toEqual(['model.safetensors']);
    },
  );
});
