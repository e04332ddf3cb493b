// Data for the GPT examples, none downloaded: English prose from the doc comments of TypeScript's
// own lib.es5.d.ts (installed with gradc), a character vocabulary, random training windows, and
// synthetic digit-string tasks (copy, reverse) that a model can only solve by attending.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { init } from '../../src/index.ts';

/** The `* ...` doc-comment lines of lib.es5.d.ts (about 100 KB of API documentation prose). */
export function loadCorpus(): string {
  const path = createRequire(import.meta.url).resolve('typescript/lib/lib.es5.d.ts');
  const prose = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => /^\s*\* (?!@)(.*)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => l !== undefined && l.length > 0);
  return prose.join('\n');
}

export interface CharVocab {
  readonly chars: readonly string[];
  encode(s: string): number[];
  decode(ids: readonly number[]): string;
}

/** One token per distinct character, in code-point order. */
export function charVocab(text: string): CharVocab {
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return {
    chars,
    encode: (s) => [...s].map((c) => index.get(c) ?? 0),
    decode: (ids) => ids.map((i) => chars[i] ?? '?').join(''),
  };
}

/** `batch` random windows of `t` + 1 tokens: inputs x = w[0..t), targets y = w[1..t]. */
export function windows(ids: readonly number[], batch: number, t: number, rand: () => number) {
  const x = new Int32Array(batch * t);
  const y = new Int32Array(batch * t);
  for (let b = 0; b < batch; b++) {
    const at = Math.floor(rand() * (ids.length - t - 1));
    for (let i = 0; i < t; i++) {
      x[b * t + i] = ids[at + i]!;
      y[b * t + i] = ids[at + i + 1]!;
    }
  }
  return { x, y };
}

export type DigitTask = 'copy' | 'reverse';
/** Digits 0–9 and the separator. */
export const DIGIT_VOCAB = 11;
export const SEP = 10;

/**
 * Sequences `d₁…dₙ | a₁…aₙ` with the answer a = d (copy) or d reversed; the model reads
 * 2n tokens (the last answer digit is only a target) and is scored on the n answer positions.
 */
export function digitBatch(task: DigitTask, n: number, batch: number, rand: () => number) {
  const t = 2 * n;
  const x = new Int32Array(batch * t);
  const y = new Int32Array(batch * t);
  for (let b = 0; b < batch; b++) {
    const d = Array.from({ length: n }, () => Math.floor(rand() * 10));
    const a = task === 'copy' ? d : [...d].reverse();
    const seq = [...d, SEP, ...a];
    for (let i = 0; i < t; i++) {
      x[b * t + i] = seq[i]!;
      y[b * t + i] = seq[i + 1]!;
    }
  }
  return { x, y };
}

/** 1 at the positions whose target is an answer digit (n … 2n − 1), else 0. */
export const answerMask = (n: number): number[] =>
  Array.from({ length: 2 * n }, (_, i) => (i >= n ? 1 : 0));

export const seeded = (seed: number): (() => number) => init.mulberry32(seed);
