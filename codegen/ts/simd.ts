// The TS module's WebAssembly SIMD path: the wasm bytes embedded as base64, one linear memory laid
// out by the memory plan (inputs, params, constants and temp slots are views into it), and a step
// that copies feeds in (and params only when the caller's arrays are not the workspace's own).
// Every kernel's TypeScript stays in the module: it is the reference, and the fallback when
// WebAssembly SIMD is unavailable (the same views, so nothing else changes). `t(text)` is the text
// in TypeScript and '' in JavaScript (in-process compiles run the module untyped).
import type CodeBlockWriter from 'code-block-writer';
import type { BufferInfo, Program } from '../../src/schedule/kernel.ts';
import type { WasmModule } from '../wasm/module.ts';
import { quote, sanitize } from '../names.ts';
import { writeThreadDeclarations } from './threads.ts';

/** `text` in TypeScript output, nothing in JavaScript. */
export type Typed = (text: string) => string;

/** Whether the module runs matmuls on worker threads. */
const threaded = (wasm: WasmModule) => wasm.threads > 1 && wasm.split.size > 0;

const arrayType = (b: { dtype: string }) => (b.dtype === 'f32' ? 'Float32Array' : 'Int32Array');
const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
const prop = (s: string) => (isIdent(s) ? s : s === '__proto__' ? `[${quote(s)}]` : quote(s));
const access = (obj: string, s: string) => (isIdent(s) ? `${obj}.${s}` : `${obj}[${quote(s)}]`);

/** Which JavaScript function each wasm import is. */
const IMPORT_VALUE: Readonly<Record<string, string>> = {
  exp: 'Math.exp',
  log: 'Math.log',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tanh: 'Math.tanh',
  pow: 'Math.pow',
  log1p: 'Math.log1p',
  expm1: 'Math.expm1',
  tan: 'Math.tan',
  asin: 'Math.asin',
  acos: 'Math.acos',
  atan: 'Math.atan',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  asinh: 'Math.asinh',
  atanh: 'Math.atanh',
  randUniform: 'randUniform',
  randNormal: 'randNormal',
};

/** base64 with btoa (Node and browsers: in-process compiles also run in a page). */
function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Module-level declarations: the bytes, and the interface of the exported kernels. */
export function writeWasmDeclarations(
  w: CodeBlockWriter,
  wasm: WasmModule,
  exportName: (kernel: string) => string,
  t: Typed,
): void {
  w.writeLine(
    `/** WebAssembly SIMD kernels (${wasm.bytes.length} bytes, rendered by gradc from the same kernels as the TypeScript below). */`,
  );
  w.writeLine(`const wasmBytes = ${quote(base64(wasm.bytes))};`);
  w.blankLine();
  if (!t('ts')) {
    w.writeLine('const host = globalThis;');
    w.blankLine();
    if (threaded(wasm)) writeThreadDeclarations(w, wasm, exportName, t);
    return;
  }
  // The few WebAssembly and base64 APIs used, typed here so the module checks under any lib.
  w.writeLine('interface WasmMemory { readonly buffer: ArrayBuffer; }');
  w.write('interface WasmApi').block(() => {
    w.writeLine(
      'Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;',
    );
    w.writeLine('Module: new (bytes: Uint8Array) => object;');
    w.writeLine('Instance: new (m: object, imports: object) => { readonly exports: object };');
  });
  w.writeLine(
    'const host = globalThis as unknown as { WebAssembly?: WasmApi; atob(s: string): string };',
  );
  w.blankLine();
  w.writeLine(
    '/** The kernels that run in WebAssembly; each reads and writes the workspace memory. */',
  );
  w.write('export interface WasmKernels').block(() => {
    for (const k of wasm.kernels) w.writeLine(`readonly ${exportName(k)}: () => void;`);
  });
  w.blankLine();
  if (threaded(wasm)) writeThreadDeclarations(w, wasm, exportName, t);
}

/** createWorkspace(): the memory, views for every buffer, and the instantiated kernels. */
export function writeWasmWorkspace(
  w: CodeBlockWriter,
  p: Program,
  wasm: WasmModule,
  names: (buf: string) => string,
  t: Typed,
): void {
  const at = (b: string) => wasm.layout.buffers.get(b)!;
  const view = (b: { dtype: string }, offset: number, size: number) =>
    `new ${arrayType(b)}(memory.buffer, ${offset}, ${size})`;
  const role = (r: BufferInfo['role']) => p.buffers.filter((b) => b.role === r);
  w.writeLine(
    '/** Temporary buffers, inputs and params: views into one WebAssembly memory laid out by the memory plan. */',
  );
  if (t('ts')) {
    w.write('export interface Workspace').block(() => {
      p.slots.forEach((s, i) => w.writeLine(`readonly s${i}: ${arrayType(s)};`));
      w.writeLine('/** Pass these as the inputs and params of step() to skip copying them in. */');
      w.writeLine('readonly inputs: Inputs;');
      w.writeLine('readonly params: Params;');
      w.writeLine('readonly memory: WasmMemory;');
      w.writeLine(
        '/** null where WebAssembly SIMD is unavailable: the TypeScript kernels run instead. */',
      );
      w.writeLine('readonly wasm: WasmKernels | null;');
      if (threaded(wasm)) {
        w.writeLine('/** Stop the worker threads. */').writeLine('dispose(): void;');
        w.writeLine(
          '/** Threads sharing the split matmuls now: 1 + the workers started so far. */',
        );
        w.writeLine('threads(): number;');
      }
    });
    w.blankLine();
  }
  w.write(`export function createWorkspace()${t(': Workspace')}`).block(() => {
    const pages = wasm.layout.pages;
    w.writeLine('const api = host.WebAssembly;');
    // Threads share the memory where SharedArrayBuffer exists; else one thread, plain memory.
    const [on, size] = [threaded(wasm), `initial: ${pages}`];
    if (on) w.writeLine(`const shared = typeof SharedArrayBuffer !== 'undefined';`);
    const limits = on ? `${size}, maximum: ${pages}, shared` : size;
    const plain = `{ buffer: new ArrayBuffer(${pages * 65536}) }`;
    w.writeLine(`const memory = api ? new api.Memory({ ${limits} }) : ${plain};`);
    if (on) w.writeLine(`let workers${t(': ReturnType<typeof startWorkers>')} = null;`);
    for (const b of role('const'))
      w.writeLine(`${view(b, at(b.name), b.size)}.set(${names(b.name)});`);
    w.writeLine(`let wasm${t(': WasmKernels | null')} = null;`);
    w.write('try').block(() => {
      w.writeLine("if (!api) throw new Error('no WebAssembly');");
      // A plain loop: Uint8Array.from(string, fn) iterates the string and took seconds per MB.
      w.writeLine('const s = host.atob(wasmBytes);');
      w.writeLine('const bytes = new Uint8Array(s.length);');
      w.writeLine('for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);');
      const imports = wasm.imports.map((n) => `${n}: ${IMPORT_VALUE[n]}`);
      w.writeLine(`const env = { memory, ${imports.join(', ')} };`);
      if (threaded(wasm))
        w.writeLine(
          `if (!shared) bytes[${wasm.memoryFlagAt}] = 1; // import the memory as not shared`,
        );
      w.writeLine('const instance = new api.Instance(new api.Module(bytes), { env });');
      w.writeLine(`wasm = instance.exports${t(' as WasmKernels')};`);
      if (threaded(wasm)) {
        w.writeLine(
          'workers = shared ? startWorkers(THREAD_PLAN, bytes, memory, { ...wasm }) : null;',
        );
        w.writeLine('if (workers) wasm = { ...wasm, ...workers.kernels };');
      }
    });
    w.write(' catch').block(() => {
      w.writeLine(
        'wasm = null; // no WebAssembly SIMD (or a browser refusing synchronous compiles): TS kernels',
      );
    });
    w.write('return ').inlineBlock(() => {
      p.slots.forEach((s, i) => w.writeLine(`s${i}: ${view(s, wasm.layout.slots[i]!, s.size)},`));
      for (const r of ['input', 'param'] as const) {
        w.write(`${r}s: `).inlineBlock(() => {
          for (const b of role(r)) w.writeLine(`${prop(b.name)}: ${view(b, at(b.name), b.size)},`);
        });
        w.write(',').newLine();
      }
      w.writeLine('memory,');
      w.writeLine('wasm,');
      if (threaded(wasm)) {
        w.writeLine('dispose: () => workers?.stop(),');
        w.writeLine('threads: () => 1 + (workers?.running() ?? 0),');
      }
    });
    w.write(';').newLine();
  });
  w.blankLine();
}

/**
 * The exported entry: copy the feeds (and any params not already in the workspace) into wasm
 * memory, run the kernels there, and copy updated params back to arrays the caller passed.
 */
export function writeWasmEntry(
  w: CodeBlockWriter,
  p: Program,
  entry: 'step' | 'run',
  doc: string,
  t: Typed,
  /** The inputs it reads (a training module's run reads only the forward pass's). */
  inputs: ReadonlySet<string>,
): void {
  const role = (r: BufferInfo['role']) =>
    p.buffers.filter((b) => b.role === r && (r === 'param' || inputs.has(b.name)));
  const forward = entry === 'run' && p.updates.size > 0;
  const type = forward ? 'RunInputs' : 'Inputs';
  w.writeLine(`/** ${doc} Outputs are views into the workspace, valid until the next call. */`);
  const ret = forward ? 'RunOutputs' : 'Outputs';
  const sig = t(`inputs: ${type}, params: Params, ws: Workspace): ${ret}`) || 'inputs, params, ws)';
  w.write(`export function ${entry}(${sig}`).block(() => {
    for (const r of ['input', 'param'] as const) {
      for (const b of role(r)) {
        const [mine, theirs] = [access(`ws.${r}s`, b.name), access(`${r}s`, b.name)];
        w.writeLine(`if (${theirs} !== ${mine}) ${mine}.set(${theirs});`);
      }
    }
    w.writeLine(`const out = ${entry}InMemory(ws.inputs, ws.params, ws);`);
    if (entry === 'step') {
      for (const b of role('param').filter((b) => p.updates.has(b.name))) {
        const [mine, theirs] = [access('ws.params', b.name), access('params', b.name)];
        w.writeLine(`if (${theirs} !== ${mine}) ${theirs}.set(${mine});`);
      }
    }
    w.writeLine('return out;');
  });
}
