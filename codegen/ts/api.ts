// The generated module's outer API, the same for both targets: `initParams(seed)` reproducing the
// graph's initializers (the same PRNG streams as src/ir/init.ts, so the same values as gradc's
// initParams), and `create(params?)` → { step | run, params, dispose } with every feed's size
// checked on every call. Text for the TS renderer, typed ('ts') or plain ('js').
import type { InitSpec } from '../../src/ir/init.ts';
import { hashString } from '../../src/ir/init.ts';
import type { Program } from '../../src/schedule/kernel.ts';
import { quote, sanitize } from '../names.ts';

/** `text` in TypeScript output, nothing in JavaScript. */
export type Typed = (text: string) => string;

/** Module-level names this file's text defines (user names never take them). */
export const API_NAMES = [
  'sizesOf',
  'Sizes',
  'initParams',
  'create',
  'Model',
  'checkSizes',
  'mulberry32',
  'initNormal',
  'initUniform',
];

const isIdent = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) && sanitize(s) === s;
const prop = (s: string) => (isIdent(s) ? s : s === '__proto__' ? `[${quote(s)}]` : quote(s));
const num = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

const PRNG = (t: Typed) => `
/** mulberry32, as in gradc's src/ir/init.ts: one stream per param, from the seed. */
function mulberry32(seed${t(': number')})${t(': () => number')} {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}`;

const NORMAL = (t: Typed) => `
function initNormal(n${t(': number')}, mean${t(': number')}, std${t(': number')}, seed${t(': number')})${t(': Float32Array')} {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rand(); // Box–Muller, as gradc's normalSampler
    out[i] = mean + std * (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()));
  }
  return out;
}`;

const UNIFORM = (t: Typed) => `
function initUniform(n${t(': number')}, lo${t(': number')}, hi${t(': number')}, seed${t(': number')})${t(': Float32Array')} {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}`;

/** A param as the API text needs it. */
interface ParamSize {
  readonly name: string;
  readonly size: number;
}

/** One param's initial value as an expression. */
function initExpr(b: ParamSize, spec: InitSpec): string {
  const seed = `(seed ^ 0x${hashString(b.name).toString(16)}) >>> 0`;
  switch (spec.kind) {
    case 'zeros':
      return `new Float32Array(${b.size})`;
    case 'constant':
      return `new Float32Array(${b.size}).fill(${num(spec.value)})`;
    case 'values':
      return `new Float32Array([${spec.values.map(num).join(', ')}])`;
    case 'normal':
      return `initNormal(${b.size}, ${num(spec.mean)}, ${num(spec.std)}, ${seed})`;
    case 'uniform':
      return `initUniform(${b.size}, ${num(spec.lo)}, ${num(spec.hi)}, ${seed})`;
  }
}

export const CHECK = (t: Typed) => `
/** [name, elements, shape] of each entry of a shapes table: computed once, checked per call. */
function sizesOf(table${t(': Readonly<Record<string, readonly number[]>>')})${t(': Sizes')} {
  return Object.entries(table).map(([name, shape]) => [name, shape.reduce((a, d) => a * d, 1), shape]);
}
${t('type Sizes = readonly (readonly [string, number, readonly number[]])[];\n')}
/** Throws a RangeError naming the first value whose length is not its shape's size. */
function checkSizes(what${t(': string')}, values${t(': object')}, sizes${t(': Sizes')})${t(': void')} {
  for (let i = 0; i < sizes.length; i++) {
    const [name, n, shape] = sizes[i]${t('!')};
    const got = (values${t(' as Record<string, { length: number } | undefined>')})[name]?.length;
    if (got !== n) {
      throw new RangeError(
        \`\${what} '\${name}' needs \${n} values (shape [\${shape.join(', ')}]), got \${got ?? 'none'}\`,
      );
    }
  }
}`;

/** initParams and the PRNG helpers it uses (shared by the TS module and the WGSL host). */
export function initParamsText(
  params: readonly ParamSize[],
  inits: ReadonlyMap<string, InitSpec>,
  t: Typed,
): string {
  const specs = params.map((b) => inits.get(b.name) ?? { kind: 'zeros' as const });
  const used = new Set(specs.map((s) => s.kind));
  const fields = params.map((b, i) => `    ${prop(b.name)}: ${initExpr(b, specs[i]!)},`);
  return [
    used.has('normal') || used.has('uniform') ? PRNG(t) : '',
    used.has('normal') ? NORMAL(t) : '',
    used.has('uniform') ? UNIFORM(t) : '',
    `
/** The graph's initial params for \`seed\`: the values gradc's initParams(graph, seed) gives. */
export function initParams(seed = 0)${t(': Params')} {
  return {
${fields.join('\n')}
  };
}`,
  ].join('\n');
}

/**
 * initParams, create and their helpers, for a module whose entry function is `entry`; a training
 * module with a `run` (the forward pass: `runInputs` are the inputs it reads) offers both.
 */
export function renderApi(
  p: Program,
  inits: ReadonlyMap<string, InitSpec>,
  entry: 'step' | 'run',
  lang: 'ts' | 'js',
  runInputs?: readonly string[],
): string {
  const t: Typed = lang === 'js' ? () => '' : (text) => text;
  const params = p.buffers.filter((b) => b.role === 'param');
  const doc =
    entry === 'step'
      ? 'One training step (params change in place); checks every input size.'
      : 'Evaluate the graph; checks every input size.';
  const evaluates = entry === 'step' && runInputs !== undefined;
  // The forward pass's inputs only: `lr` and the like are not needed to evaluate.
  const runSizes = runInputs?.map((n) => `${prop(n)}: shapes.inputs[${quote(n)}]`).join(', ');
  return [
    CHECK(t),
    initParamsText(params, inits, t),
    `${t(`
/** A compiled model: its params (updated in place by step) and size-checked calls. */
export interface Model {
  /** ${doc} Outputs are views into the workspace, valid until the next call. */
  ${entry}(inputs: Inputs): Outputs;${
    evaluates
      ? `
  /** The forward outputs (no gradients), params unchanged; checks the sizes of the inputs it reads. */
  run(inputs: RunInputs): RunOutputs;`
      : ''
  }
  readonly params: Params;
  /** Nothing to free on the CPU; here so that both targets share one API. */
  dispose(): void;
}
`)}
/** A ready model: \`params\` (default initParams(0)) after a size check, and its own workspace. */
export function create(params${t(': Params')} = initParams())${t(': Model')} {
  checkSizes('param', params, sizesOf(shapes.params));
  const ws = createWorkspace();
  const inputSizes = sizesOf(shapes.inputs);${
    evaluates
      ? `
  const runSizes = sizesOf({ ${runSizes} });`
      : ''
  }
  return {
    ${entry}: (inputs${t(': Inputs')}) => {
      checkSizes('input', inputs, inputSizes);
      return ${entry}(inputs, params, ws);
    },${
      evaluates
        ? `
    run: (inputs${t(': RunInputs')}) => {
      checkSizes('input', inputs, runSizes);
      return run(inputs, params, ws);
    },`
        : ''
    }
    params,
    dispose: () => {},
  };
}`,
  ].join('\n');
}
