// Program → one self-contained TypeScript module: shapes as constants, one function per kernel
// (named after what it computes, with its chain-rule step above it), and a step/run function.
// Assembled with a code writer and formatted by the caller's formatter (prettier for files);
// byte-identical for one graph. `lang: 'js'` writes the same module without types, so in-process
// compiles need no TypeScript compiler (and no formatter) at run time.
import CodeBlockWriter from 'code-block-writer';
import type { InitSpec } from '../../src/ir/init.ts';
import type { EvalSteps } from '../../src/schedule/eval-steps.ts';
import type { BufferInfo, Program, Step } from '../../src/schedule/kernel.ts';
import { API_NAMES, renderApi } from './api.ts';
import { formatWithin } from '../format.ts';
import {
  bindNames,
  commentText,
  NameManager,
  numberLiteral,
  placeholder,
  quote,
  sanitize,
} from '../names.ts';
import { kernelBuffers, renderKernel } from './kernels.ts';
import { randomHelpers } from './random.ts';
import { SCALAR_HELPER_NAMES, scalarHelpers } from './scalar.ts';
import { writeWasmDeclarations, writeWasmEntry, writeWasmWorkspace } from './simd.ts';
import { THREAD_NAMES } from './threads.ts';
import { renderWasm, runsInWasm } from '../wasm/module.ts';
import type { WasmModule, WasmSelect } from '../wasm/module.ts';

export interface TsModuleOptions {
  /** 'step' for training graphs (applies updates), 'run' otherwise. */
  readonly entry: 'step' | 'run';
  readonly header?: readonly string[];
  /** Run prettier (default). In-process compiles skip it: nobody reads that text. */
  readonly format?: boolean;
  /** 'ts' (default) for files; 'js' for in-process execution: the same code without types. */
  readonly lang?: 'ts' | 'js';
  /** Each param's initializer, for the module's initParams (a param without one starts at 0). */
  readonly inits?: ReadonlyMap<string, InitSpec>;
  /** Kernels in WebAssembly SIMD ('auto': where faster; 'all': every map/reduce/matmul). */
  readonly wasm?: WasmSelect | 'off';
  /** Threads sharing each large matmul (default 1: no workers). */
  readonly threads?: number;
  /** A training module's `run`: the steps the pipeline chose (src/pipeline.ts runEntry). */
  readonly run?: EvalSteps | null;
}

/** `text` in TypeScript output, nothing in JavaScript: type annotations and declarations. */
type Typed = (text: string) => string;

const arrayType = (b: { dtype: string }) => (b.dtype === 'f32' ? 'Float32Array' : 'Int32Array');
const typeDoc = (b: { dtype: string; shape: readonly number[] }) =>
  `${b.dtype}[${b.shape.join(', ')}]`;
const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
/** An object-literal key; `__proto__` is computed, since a plain one would set the prototype. */
const prop = (s: string) => (isIdent(s) ? s : s === '__proto__' ? `[${quote(s)}]` : quote(s));
const access = (obj: string, s: string) => (isIdent(s) ? `${obj}.${s}` : `${obj}[${quote(s)}]`);

export async function renderTsModule(p: Program, opts: TsModuleOptions): Promise<string> {
  // Module-level names; the kernels' locals (i, p, acc, t0…) yield to user names instead.
  const ids = new NameManager([
    'inputs',
    'params',
    'ws',
    'randUniform',
    'randNormal',
    'pcgHash',
    'randBits',
    ...SCALAR_HELPER_NAMES,
    'shapes',
    'createWorkspace',
    'checkFinite',
    'step',
    'run',
    'Inputs',
    'Params',
    'Outputs',
    'Workspace',
    'WasmKernels',
    'wasm',
    'wasmBytes',
    'memory',
    'host',
    'env',
    'bytes',
    'instance',
    'api',
    'WasmApi',
    'WasmMemory',
    ...THREAD_NAMES,
    'out',
    'stepInMemory',
    'runInMemory',
    'RunInputs',
    'RunOutputs',
    ...API_NAMES,
  ]);
  const t: Typed = opts.lang === 'js' ? () => '' : (text) => text;
  const kernelIds = new Map<string, string>();
  // A buffer other than a constant is only ever a kernel parameter: it must avoid the module
  // names a kernel body calls, not the module's API (`step`, `inputs`, `memory` keep their
  // spelling); later module-level names (kernels, scratch arrays) avoid the buffers.
  const params = new NameManager(['randUniform', 'randNormal', ...SCALAR_HELPER_NAMES]);
  const bufIds = new Map<string, string>();
  for (const b of p.buffers) {
    const id = b.role === 'const' ? ids.take(b.name) : params.take(b.name);
    ids.reserve(id);
    params.reserve(id);
    bufIds.set(b.name, id);
  }
  const names = (buf: string) => bufIds.get(buf)!;
  const byName = new Map(p.buffers.map((b) => [b.name, b]));
  const select = opts.wasm === 'off' ? undefined : opts.wasm;
  const useWasm =
    select && p.steps.some((s) => s.kind === 'kernel' && runsInWasm(s.kernel, select));
  // With wasm, kernel ids are taken first: they are also the wasm export names.
  for (const step of useWasm ? p.steps : []) {
    if (step.kind === 'kernel') kernelIds.set(step.kernel.name, ids.take(step.kernel.name));
  }
  const wasm =
    select && useWasm ? renderWasm(p, select, (k) => kernelIds.get(k)!, opts.threads ?? 1) : null;
  // Each top-level piece is written and formatted on its own, so formatting stays linear in
  // the number of kernels (prettier on one huge file is not).
  const chunks: string[] = [];
  const writer = () => new CodeBlockWriter({ indentNumberOfSpaces: 2, useSingleQuote: true });
  let w = writer();
  for (const line of opts.header ?? []) w.writeLine(`// ${commentText(line)}`);
  w.writeLine(
    `// Kernels: ${p.stats.kernels}. Temporary memory: ${p.stats.peakBytes} bytes in ${p.slots.length} reused buffers.`,
  );
  w.blankLine();
  writeShapes(w, p, t);
  if (opts.lang !== 'js') writeInterfaces(w, p, byName);
  if (wasm) {
    writeWasmDeclarations(w, wasm, (k) => kernelIds.get(k)!, t);
    writeWasmWorkspace(w, p, wasm, names, t);
  } else writeWorkspace(w, p, t);
  for (const b of p.buffers) {
    if (b.role === 'const')
      w.writeLine(
        `const ${names(b.name)} = new Float32Array([${(b.values ?? []).map(numberLiteral).join(', ')}]);`,
      );
  }
  const lang = opts.lang ?? 'ts';
  const helpers = randomHelpers(p, lang) + scalarHelpers(p, lang);
  if (helpers) w.writeLine(helpers);
  if (p.steps.some((s) => s.kind === 'check')) w.writeLine(CHECK_FINITE(t));
  chunks.push(w.toString());
  for (const step of p.steps) {
    if (step.kind !== 'kernel') continue;
    const k = step.kernel;
    const id = kernelIds.get(k.name) ?? ids.take(k.name);
    kernelIds.set(k.name, id);
    const scratch = {
      row: ids.take(`${id}_row`),
      a: ids.take(`${id}_a`),
      b: ids.take(`${id}_b`),
      tile: ids.take(`${id}_tile`),
    };
    // Rendered with placeholders for the buffers, so a local spelled like one can yield.
    const bufs = kernelBuffers(k);
    const text = renderKernel(k, (b) => placeholder(bufs.indexOf(b)), scratch);
    const params = bufs.map((b) => names(b) + t(`: ${arrayType(byName.get(b)!)}`));
    const head = [...text.setup, ...k.notes.map((note) => `// ${commentText(note)}`)];
    const body = bindNames(text.body, bufs.map(names));
    chunks.push(block(head, `function ${id}(${params.join(', ')})${t(': void')}`, body));
  }
  w = writer();
  const inputs = p.buffers.filter((b) => b.role === 'input').map((b) => b.name);
  const outputs = p.outputs.map((o) => o.name);
  const entries: Entry[] = [{ name: opts.entry, steps: p.steps, inputs, outputs }];
  // A training module also evaluates: `run` computes the forward outputs, params left alone.
  const evaluate = opts.entry === 'step' ? (opts.run ?? null) : null;
  if (evaluate) entries.push({ name: 'run', ...evaluate });
  for (const e of entries) {
    writeEntry(w, p, e, kernelIds, names, byName, wasm, t);
    chunks.push(w.toString());
    w = writer();
  }
  chunks.push(renderApi(p, opts.inits ?? new Map(), opts.entry, lang, evaluate?.inputs).trim());
  if (opts.format === false || lang === 'js') {
    return chunks.map((c) => c.trimEnd() + '\n').join('\n');
  }
  const done = await formatWithin(chunks);
  const note = done.skipped
    ? [
        `// Over the formatting budget: the last ${done.skipped} of ${chunks.length} pieces are not prettier-formatted.\n`,
      ]
    : [];
  return [...note, ...done.chunks].map((c) => c.trimEnd() + '\n').join('\n');
}

/**
 * A kernel's text as the code writer lays it out (`head` lines, then `signature { body }`, the body
 * indented by its braces), written directly: the writer scans every character it is given, which
 * was a third of rendering a 100k-node module. Kernel lines open a block only at their end and
 * close one only at their start, and have no multi-line strings.
 */
function block(head: readonly string[], signature: string, body: readonly string[]): string {
  const out = [...head, `${signature} {`];
  let depth = 1;
  for (const line of body) {
    if (line.startsWith('}')) depth--;
    out.push('  '.repeat(depth) + line);
    if (line.endsWith('{')) depth++;
  }
  out.push('}', '');
  return out.join('\n');
}

function writeShapes(w: CodeBlockWriter, p: Program, t: Typed): void {
  const entries = (role: BufferInfo['role']) =>
    p.buffers.filter((b) => b.role === role).map((b) => `${prop(b.name)}: [${b.shape.join(', ')}]`);
  w.writeLine('/** Static shapes of the compiled graph (row-major). */');
  w.write('export const shapes = ').inlineBlock(() => {
    w.writeLine(`inputs: { ${entries('input').join(', ')} },`);
    w.writeLine(`params: { ${entries('param').join(', ')} },`);
    w.writeLine(
      `outputs: { ${p.outputs.map((o) => `${prop(o.name)}: [${o.shape.join(', ')}]`).join(', ')} },`,
    );
  });
  w.write(`${t(' as const')};`)
    .newLine()
    .blankLine();
}

function writeInterfaces(w: CodeBlockWriter, p: Program, byName: Map<string, BufferInfo>): void {
  const iface = (
    name: string,
    items: { key: string; doc: string; type: string }[],
    ro: boolean,
  ) => {
    w.write(`export interface ${name}`).block(() => {
      for (const it of items) {
        w.writeLine(`/** ${commentText(it.doc)} */`);
        w.writeLine(`${ro ? 'readonly ' : ''}${prop(it.key)}: ${it.type};`);
      }
    });
    w.blankLine();
  };
  const of = (role: BufferInfo['role']) =>
    p.buffers
      .filter((b) => b.role === role)
      .map((b) => ({ key: b.name, doc: typeDoc(b), type: arrayType(b) }));
  iface('Inputs', of('input'), true);
  iface('Params', of('param'), true);
  iface(
    'Outputs',
    p.outputs.map((o) => ({ key: o.name, doc: typeDoc(o), type: arrayType(byName.get(o.buf)!) })),
    false,
  );
}

function writeWorkspace(w: CodeBlockWriter, p: Program, t: Typed): void {
  w.writeLine(
    '/** Temporary buffers, allocated once: values whose lifetimes do not overlap share a slot. */',
  );
  if (t('ts')) {
    w.write('export interface Workspace').block(() => {
      p.slots.forEach((s, i) => w.writeLine(`readonly s${i}: ${arrayType(s)};`));
    });
    w.blankLine();
  }
  w.write(`export function createWorkspace()${t(': Workspace')}`).block(() => {
    w.write('return ').inlineBlock(() => {
      p.slots.forEach((s, i) => w.writeLine(`s${i}: new ${arrayType(s)}(${s.size}),`));
    });
    w.write(';').newLine();
  });
}

function argOf(b: BufferInfo, names: (b: string) => string): string {
  switch (b.role) {
    case 'input':
      return access('inputs', b.name);
    case 'param':
      return access('params', b.name);
    case 'const':
      return names(b.name);
    case 'temp':
      return `ws.s${b.slot}`;
  }
}

/** An exported entry function: its name, the steps it runs, the inputs they read, its outputs. */
interface Entry {
  readonly name: 'step' | 'run';
  readonly steps: readonly Step[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

function writeEntry(
  w: CodeBlockWriter,
  p: Program,
  { name: entry, steps, inputs, outputs }: Entry,
  kernelIds: Map<string, string>,
  names: (b: string) => string,
  byName: Map<string, BufferInfo>,
  wasm: WasmModule | null,
  t: Typed,
): void {
  const training = p.updates.size > 0;
  const doc =
    entry === 'step'
      ? 'One training step: forward, backward and update. Params are updated in place.'
      : training
        ? 'Evaluate the outputs without the update (the forward pass only). Params are not changed.'
        : 'Evaluate the graph. Params are not changed.';
  if (entry === 'run' && training && t('ts')) {
    const keys = inputs.map((i) => quote(i)).join(' | ') || 'never';
    w.writeLine(`/** The inputs the forward pass reads. */`);
    w.writeLine(`export type RunInputs = Pick<Inputs, ${keys}>;`);
    const outs = outputs.map((o) => quote(o)).join(' | ') || 'never';
    w.writeLine(
      `/** The outputs the forward pass computes (those needing gradients are step's). */`,
    );
    w.writeLine(`export type RunOutputs = Pick<Outputs, ${outs}>;`);
    w.blankLine();
  }
  let fn = `export function ${entry}`;
  if (wasm) {
    writeWasmEntry(w, p, entry, doc, t, new Set(inputs));
    w.blankLine();
    w.writeLine(
      '/** The kernels, on views into the workspace memory: wasm where it runs, else TypeScript. */',
    );
    fn = `function ${entry}InMemory`;
  } else {
    w.writeLine(`/** ${doc} Outputs are views into the workspace, valid until the next call. */`);
  }
  const forward = entry === 'run' && training;
  const type = forward && !wasm ? 'RunInputs' : 'Inputs';
  const ret = forward ? 'RunOutputs' : 'Outputs';
  const sig = t(`inputs: ${type}, params: Params, ws: Workspace): ${ret}`) || 'inputs, params, ws)';
  w.write(`${fn}(${sig}`).block(() => {
    if (wasm) w.writeLine('const wasm = ws.wasm;');
    for (const s of steps) writeStep(w, s, kernelIds, names, byName, wasm);
    w.write('return ').inlineBlock(() => {
      const returned = new Set(outputs);
      for (const o of p.outputs.filter((o) => returned.has(o.name))) {
        const b = byName.get(o.buf)!;
        const size = o.shape.reduce((a, d) => a * d, 1);
        const arr = argOf(b, names);
        w.writeLine(`${prop(o.name)}: ${b.role === 'temp' ? `${arr}.subarray(0, ${size})` : arr},`);
      }
    });
    w.write(';').newLine();
  });
}

function writeStep(
  w: CodeBlockWriter,
  s: Step,
  kernelIds: Map<string, string>,
  names: (b: string) => string,
  byName: Map<string, BufferInfo>,
  wasm: WasmModule | null,
): void {
  if (s.kind === 'copy') {
    const from = argOf(byName.get(s.from)!, names);
    w.writeLine(`${argOf(byName.get(s.to)!, names)}.set(${from}.subarray(0, ${s.size}));`);
    return;
  }
  if (s.kind === 'check') {
    const buf = argOf(byName.get(s.buf)!, names);
    w.writeLine(`checkFinite(${buf}, ${s.size}, ${quote(commentText(s.what))}, ${quote(s.buf)});`);
    return;
  }
  const args = kernelBuffers(s.kernel).map((b) => argOf(byName.get(b)!, names));
  const id = kernelIds.get(s.kernel.name)!;
  if (wasm?.kernels.has(s.kernel.name)) w.writeLine(`if (wasm) wasm.${id}();`).write('else ');
  w.writeLine(`${id}(${args.join(', ')});`);
}

/** The numerics guard's scan (see src/schedule/numerics.ts): throws at the first NaN or ±∞. */
const CHECK_FINITE = (t: Typed) => `
/** Numerics guard: stop at the first non-finite value a kernel wrote. */
function checkFinite(a${t(': Float32Array')}, n${t(': number')}, what${t(': string')}, buf${t(': string')})${t(': void')} {
  for (let i = 0; i < n; i++) {
    const v = a[i]${t('!')};
    if (v - v !== 0) {
      throw Object.assign(new Error(\`non-finite value \${v} in \${buf}[\${i}] after \${what}\`), {
        name: 'NumericsError',
      });
    }
  }
}`;
