// Injection: user text (names, tensor values) never leaves a quoted, escaped context in generated
// TypeScript or WGSL — every line terminator and comment token of both languages, values that are
// not numbers, and Object.prototype keys as input/output/param names, on every target.
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { tensor } from '../../src/builder/ops.ts';
import { GraphError } from '../../src/ir/errors.ts';
import { Graph } from '../../src/ir/graph.ts';
import { values } from '../../src/ir/init.ts';
import type { Target } from '../../src/runtime/executable.ts';
import { hasAdapter } from '../../src/runtime/webgpu.ts';
import { emitFiles } from '../../src/pipeline.ts';
import { commentText } from '../../codegen/names.ts';

const adapter = await hasAdapter();
const targets: Target[] = adapter ? ['interp', 'ts', 'wgsl'] : ['interp', 'ts'];
if (!adapter)
  console.warn('\n*** reliability/injection: WGSL cases SKIPPED (no WebGPU adapter) ***\n');

/** Every line break of WGSL (LF VT FF CR NEL LS PS) and of JavaScript (LF CR LS PS). */
const BREAKS = ['\n', '\u000B', '\u000C', '\r', '\r\n', '\u0085', '\u2028', '\u2029'];
const WGSL_BREAK = /[\n\u000B\u000C\r\u0085\u2028\u2029]/;

/** String literals (single, double, template; escapes honoured). */
const STRINGS = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/gs;

/** The code of each line of `text` (split at every WGSL line break): no strings, no comments. */
const codeLines = (text: string) =>
  text
    .replace(STRINGS, '""')
    .split(WGSL_BREAK)
    .map((l) => l.replace(/\/\/.*$/, ''));

afterEach(() => {
  delete (globalThis as { PWNED?: unknown }).PWNED;
});

describe('names cannot end a comment', () => {
  it('commentText escapes every line terminator, control, format char and comment token', () => {
    for (const b of [...BREAKS, '\u0000', '\u001B', '\u200E', '\u202E', '\uFEFF', '\uD800']) {
      const t = commentText(`a${b}b`);
      expect(t).not.toMatch(WGSL_BREAK);
      expect(t).toMatch(/^a(\\u\{[0-9a-f]{4}\})+b$/);
    }
    expect(commentText('x */ y /* z')).toBe('x * / y / * z');
  });

  it('a name with U+000B cannot inject a WGSL function (the exp builtin stays exp)', async () => {
    // One graph holding every break (emitting is the slow part): graph, input, node, output names.
    const g = new Graph(`inj${BREAKS.join('')}fn f() {} //`);
    BREAKS.forEach((b, k) => {
      const x = g.input(`x${k}${b}fn exp(v: f32) -> f32 { return 1234.0; } //`, [2, 3]);
      g.output(`y${k}${b}return 1234.0; //`, x.exp().named(`e${b}}fn exp(){} //`));
    });
    for (const target of ['ts', 'wgsl'] as const) {
      const { files } = await emitFiles(g, { target });
      for (const f of files) {
        for (const line of codeLines(f.text)) expect(line).not.toMatch(/1234\.0|fn (exp|f)\(/);
        if (f.path.endsWith('.wgsl'))
          expect(f.text).not.toMatch(/[\u000B\u000C\r\u0085\u2028\u2029]/);
      }
    }
  });

  it.skipIf(!adapter)('the injected WGSL name computes exp on the device', async () => {
    const g = new Graph('inj');
    const name = 'x\u000Bfn exp(v: f32) -> f32 { return 1234.0; } //';
    g.output('y', g.input(name, [2, 3]).exp());
    const exe = await compile(g, { target: 'wgsl' });
    const out = await exe.run({ [name]: [0, 1, 2, -1, 0.5, 3] });
    expect([...out['y']!].map((v) => Number(v.toFixed(4)))).toEqual(
      [0, 1, 2, -1, 0.5, 3].map((v) => Number(Math.fround(Math.exp(v)).toFixed(4))),
    );
    exe.dispose();
  });
});

describe('tensor() values', () => {
  it('refuses values that are not numbers, naming the value; nothing runs', async () => {
    const g = new Graph('pwn');
    const evil = ['3]); globalThis.PWNED="x"; ([0'] as unknown as number[];
    let err: unknown;
    try {
      tensor(g, [1, 2, ...evil], [3]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphError);
    expect((err as Error).message).toMatch(
      /^tensor: value \[2\] must be a number, got the string "3\]\); globalThis.PWNED/,
    );
    expect((err as Error).message).toMatch(/injection\.test\.ts:\d+/);
    for (const bad of [10n, null, {}, '1'] as unknown[]) {
      expect(() => tensor(g, [bad as number], [1])).toThrow(GraphError);
    }
    expect((globalThis as { PWNED?: unknown }).PWNED).toBeUndefined();
  });

  it('NaN, ±∞ and -0 values are rendered as explicit constants on every target', async () => {
    const vals = [NaN, Infinity, -Infinity, -0, 1.5, -2];
    for (const target of targets) {
      const g = new Graph('consts');
      const x = g.input('x', [6]);
      g.output('y', x.add(tensor(g, vals, [6])));
      const exe = await compile(g, { target });
      const y = (await exe.run({ x: new Float32Array(6) }))['y']!;
      expect([...y], target).toEqual([NaN, Infinity, -Infinity, 0, 1.5, -2]);
      exe.dispose();
    }
  });
});

describe('Object.prototype keys as names', () => {
  /** Inputs, params and outputs all named after Object.prototype keys; one SGD step. */
  function protoGraph(): Graph {
    const g = new Graph('proto');
    const a = g.input('__proto__', [3]);
    const b = g.input('constructor', [3]);
    const w = g.param('toString', [3], values([1, 2, 3]));
    const v = g.param('__proto__.w', [3], values([0.5, 0.5, 0.5]));
    const loss = a.mul(w).add(b.mul(v)).sum().named('valueOf');
    g.output('hasOwnProperty', loss);
    g.output('__proto__', a.mul(w));
    g.update('toString', w.sub(a.mul(0.1)));
    g.update('__proto__.w', v.sub(b.mul(0.1)));
    return g;
  }

  it('feeds, outputs and trained params survive on every target', async () => {
    const fed = Object.defineProperty({ constructor: [4, 5, 6] }, '__proto__', {
      value: [1, 2, 3],
      enumerable: true,
    });
    for (const target of targets) {
      const exe = await compile(protoGraph(), { target });
      const out = await exe.step(fed);
      expect(Object.hasOwn(out, '__proto__'), target).toBe(true);
      expect([...out['__proto__']!], target).toEqual([1, 4, 9]);
      expect([...out['hasOwnProperty']!], target).toEqual([14 + 7.5]);
      await exe.syncParams?.();
      expect(
        [...exe.params['toString']!].map((x) => +x.toFixed(5)),
        target,
      ).toEqual([0.9, 1.8, 2.7]);
      expect(
        [...exe.params['__proto__.w']!].map((x) => +x.toFixed(5)),
        target,
      ).toEqual([0.1, 0, -0.1]);
      exe.dispose();
    }
  });

  it('a missing input named constructor is reported, not read from Object.prototype', async () => {
    const exe = await compile(protoGraph(), { target: 'ts' });
    const fed = Object.defineProperty({}, '__proto__', { value: [1, 2, 3], enumerable: true });
    await expect(exe.step(fed)).rejects.toThrow("missing input 'constructor' f32[3]");
  });
});
