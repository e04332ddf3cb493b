// Program → one WGSL module (a compute entry point per kernel, with its provenance comments) and
// the host plan: arenas, every dispatch with its bindings and grid, where inputs/params/outputs live.
import type { BufferInfo, Kernel, Program, Step } from '../../src/schedule/kernel.ts';
import { kernelExprs, readsOf, writesOf } from '../../src/schedule/walk.ts';
import { commentText, NameManager, sanitize } from '../names.ts';
import { helpersUsed } from './expr.ts';
import type { Access } from './expr.ts';
import { HELPER_NAMES, helperText } from './helpers.ts';
import type { Arena, Layout, Region, WgslLimits } from './layout.ts';
import { DEFAULT_LIMITS, PARTIALS, planLayout, WgslLimitError } from './layout.ts';
import { copyPass, mapPass, reduceChunks, reducePasses, scatterPass } from './kernels.ts';
import type { KernelCtx, Pass } from './kernels.ts';
import { chooseConfig, matmulPass } from './matmul.ts';
import type { MatmulStrategy } from './matmul.ts';

/** One binding of a dispatch: binding number and the arena range behind it (elements). */
export interface BindingPlan {
  readonly binding: number;
  readonly arena: number;
  readonly offset: number;
  readonly size: number;
}

export interface DispatchPlan {
  readonly entry: string;
  /** The kernel it belongs to (for messages). */
  readonly kernel: string;
  readonly groups: readonly [number, number, number];
  readonly bindings: readonly BindingPlan[];
  /**
   * Line ranges [start, end) of the WGSL text that make this entry point's own shader module: the
   * declarations it binds, the shared declarations and helpers, and its function. (Small modules
   * compile far faster than pipelines taken one by one from the whole program.)
   */
  readonly source: readonly (readonly [number, number])[];
}

export interface TensorPlan {
  readonly name: string;
  readonly region: Region;
  readonly dtype: string;
  readonly shape: readonly number[];
}

export interface HostPlan {
  readonly arenas: readonly Arena[];
  readonly dispatches: readonly DispatchPlan[];
  readonly inputs: readonly TensorPlan[];
  readonly params: readonly TensorPlan[];
  readonly outputs: readonly TensorPlan[];
  readonly consts: readonly { readonly region: Region; readonly values: readonly number[] }[];
  /** Limits above the WebGPU defaults that this program needs. */
  readonly requiredLimits: Readonly<Record<string, number>>;
}

export interface WgslModule {
  readonly wgsl: string;
  readonly plan: HostPlan;
}

// Locals of the generated kernels and WGSL reserved words: never used as buffer names.
const LOCAL =
  /^(?:[iortu]\d+|[abw]v\d+|[bij]|go|gw|gi|oi|ri|uj|kp|gr|gc|te|tv|tr|tc|kk|k0|xy|row0|col0|flat|pre|slot|post|part|chunk|r_end|acc|sums|wid|lid|tid|mm_.*|arena_.*)$/;
const WGSL_RESERVED = new Set(
  (
    'as async attribute auto await become cast catch class const_cast default delete do enum ' +
    'export extends extern filter final finally from get goto impl import in inline interface ' +
    'layout let macro match meta mod module move mut namespace new nil null of operator package ' +
    'pass precision priv public ref register require resource self set shared sizeof smooth ' +
    'static super target template this throw trait try type typedef typename typeof union ' +
    'unless unsafe use using varying virtual where with yield true false if else return ' +
    'switch case break continue continuing for while loop const ' +
    // Builtin functions and types (a module-scope name would shadow them).
    'abs acos asin atan atan2 ceil clamp cos cosh cross degrees distance dot exp exp2 floor fma ' +
    'fract frexp inverseSqrt ldexp length log log2 max min mix modf normalize pow radians round ' +
    'saturate sign sin sinh smoothstep sqrt step tan tanh trunc select all any arrayLength ' +
    'bitcast workgroupBarrier storageBarrier f16 f32 i32 u32 bool vec2 vec3 vec4 vec2f vec3f ' +
    'vec4f vec2i vec3i vec4i vec2u vec3u vec4u array atomic ptr'
  ).split(' '),
);

class Names {
  private readonly ids = new NameManager(HELPER_NAMES);
  private readonly bufs = new Map<string, string>();
  private readonly vec4s = new Map<string, string>();
  take(name: string): string {
    const s = sanitize(name);
    return this.ids.take(LOCAL.test(s) || WGSL_RESERVED.has(s) ? `${s}_buf` : s);
  }
  buf(name: string): string {
    let id = this.bufs.get(name);
    if (!id) this.bufs.set(name, (id = this.take(name === PARTIALS ? 'partials' : name)));
    return id;
  }
  /** The name of a buffer's vec4 view. */
  vec4(name: string): string {
    let id = this.vec4s.get(name);
    if (!id) this.vec4s.set(name, (id = this.take(`${name}_v4`)));
    return id;
  }
}

/** Binding numbers for buffers (bound one by one) and arenas (bound whole), in order of first use. */
class Bindings {
  /** Two lines per binding (a comment, then the declaration): binding n's is line 2n + 1. */
  readonly decls: string[] = [];
  private readonly numbers = new Map<string, number>();
  constructor(
    private readonly layout: Layout,
    private readonly names: Names,
  ) {}
  of(key: string, what: () => { id: string; type: string; doc: string }): number {
    let n = this.numbers.get(key);
    if (n !== undefined) return n;
    n = this.numbers.size;
    this.numbers.set(key, n);
    const { id, type, doc } = what();
    this.decls.push(`// ${commentText(doc)}`);
    this.decls.push(`@group(0) @binding(${n}) var<storage, read_write> ${id}: array<${type}>;`);
    return n;
  }
  /** A buffer bound alone, as array<f32|i32> or (vec4) as array<vec4<f32>>. */
  buffer(buf: string, doc: string, vec4 = false): BindingPlan {
    const r = this.layout.regions.get(buf)!;
    const n = vec4
      ? this.of(`b4:${buf}`, () => ({ id: this.names.vec4(buf), type: 'vec4<f32>', doc }))
      : this.of(`b:${buf}`, () => ({ id: this.names.buf(buf), type: r.dtype, doc }));
    return { binding: n, arena: r.arena, offset: r.offset, size: r.size };
  }
  arena(a: number): BindingPlan {
    const arena = this.layout.arenas[a]!;
    const n = this.of(`a:${a}`, () => ({
      id: arenaId(a, arena),
      type: arena.dtype,
      doc: `arena ${a}: ${arena.dtype} buffers at fixed offsets`,
    }));
    return { binding: n, arena: a, offset: 0, size: arena.size };
  }
}

const arenaId = (a: number, arena: Arena) => `arena_${arena.dtype}_${a}`;

function stepBuffers(s: Step): string[] {
  if (s.kind === 'copy') return [s.from, s.to];
  const k = s.kernel;
  const bufs = new Set([...readsOf(k), ...writesOf(k)]);
  if (k.kind === 'reduce' && reduceChunks(k) > 1) bufs.add(PARTIALS);
  return [...bufs];
}

function scratchSize(p: Program): number {
  let n = 0;
  for (const s of p.steps) {
    if (s.kind !== 'kernel' || s.kernel.kind !== 'reduce') continue;
    const total = s.kernel.outShape.reduce((a, d) => a * d, 1);
    const chunks = reduceChunks(s.kernel);
    if (chunks > 1) n = Math.max(n, total * chunks);
  }
  return n;
}

function renderPasses(s: Step, c: KernelCtx, strategy: MatmulStrategy): Pass[] {
  if (s.kind === 'copy') return [copyPass(s.from, s.to, s.size, c)];
  const k: Kernel = s.kernel;
  switch (k.kind) {
    case 'map':
      return [mapPass(k, c)];
    case 'reduce':
      return reducePasses(k, c);
    case 'matmul':
      return [matmulPass(k, c, chooseConfig(k, strategy))];
    case 'scatter':
      return [scatterPass(k, c)];
  }
}

export interface WgslModuleOptions {
  readonly limits?: WgslLimits;
  readonly header?: readonly string[];
  /** How matmuls are tiled: 'workgroup' (GPUs, the default) or 'lane' (CPU adapters). */
  readonly matmul?: MatmulStrategy;
}

/** Accumulates declarations, kernels and dispatches while walking the step list. */
class ModuleBuilder {
  readonly names = new Names();
  readonly bindings: Bindings;
  readonly shared = new Set<string>();
  readonly helpers = new Set<string>();
  readonly kernels: string[] = [];
  /** Per dispatch: its function's [start, end) in `kernels`, and its binding numbers. */
  readonly parts: { readonly fn: readonly [number, number]; readonly bindings: number[] }[] = [];
  readonly dispatches: Omit<DispatchPlan, 'source'>[] = [];
  private readonly byName: Map<string, BufferInfo>;

  constructor(
    p: Program,
    readonly layout: Layout,
    readonly limits: WgslLimits,
    readonly strategy: MatmulStrategy,
    /** Bind whole arenas in every kernel (per-buffer bindings would exceed the bind group). */
    readonly wholeArenas: boolean,
  ) {
    this.byName = new Map(p.buffers.map((b) => [b.name, b]));
    for (const b of p.buffers) this.names.buf(b.name);
    this.bindings = new Bindings(layout, this.names);
  }

  /** Buffers bound one by one, or (over the limit) as offsets into whole arenas. */
  private access(whole: boolean): Access {
    if (!whole) return (buf, idx) => `${this.names.buf(buf)}[${idx}]`;
    return (buf, idx) => {
      const r = this.layout.regions.get(buf)!;
      const id = arenaId(r.arena, this.layout.arenas[r.arena]!);
      return `${id}[${r.offset ? `${r.offset}i + ${idx}` : idx}]`;
    };
  }

  private bind(pass: Pass, whole: boolean, kname: string): BindingPlan[] {
    const { regions } = this.layout;
    const used = whole
      ? [...new Set(pass.buffers.map((b) => regions.get(b)!.arena))].map((a) =>
          this.bindings.arena(a),
        )
      : [
          ...pass.buffers.map((b) => this.bindings.buffer(b, docOf(b, this.byName))),
          ...(pass.vec4 ?? []).map((b) =>
            this.bindings.buffer(b, `${docOf(b, this.byName)}, as vec4`, true),
          ),
        ];
    const max = this.limits.maxStorageBuffersPerShaderStage;
    if (used.length > max) {
      throw new WgslLimitError(
        `kernel ${kname} needs ${used.length} storage buffers even with arenas (limit ${max})`,
      );
    }
    return used;
  }

  addStep(s: Step): void {
    const kname = s.kind === 'kernel' ? s.kernel.name : `copy_${s.from}_to_${s.to}`;
    const count = stepBuffers(s).length;
    const max = this.limits.maxStorageBuffersPerShaderStage;
    const whole = this.wholeArenas || count > max;
    const ctx: KernelCtx = {
      access: this.access(whole),
      // A vec4 view is a binding of its own (overlapping a whole arena would be rejected).
      access4: whole ? null : (buf, idx) => `${this.names.vec4(buf)}[${idx}]`,
      entry: this.names.take(kname),
      fresh: (b) => this.names.take(b),
      limits: this.limits,
      shared: this.shared,
    };
    if (s.kind === 'kernel') helpersUsed(kernelExprs(s.kernel), this.helpers);
    const notes =
      s.kind === 'kernel' ? s.kernel.notes : [`param update: copy ${s.from} into ${s.to}`];
    const wholeNote =
      count > max
        ? [`binds whole arenas: ${count} buffers exceed the limit of ${max} per shader stage`]
        : [];
    for (const pass of renderPasses(s, ctx, this.strategy)) {
      const bindings = this.bind(pass, whole, kname);
      const passNotes = pass.entry === ctx.entry ? notes : [`second pass of ${ctx.entry}`];
      this.kernels.push('', ...[...passNotes, ...wholeNote].map((n) => `// ${commentText(n)}`));
      const start = this.kernels.length;
      this.kernels.push(...pass.lines);
      this.parts.push({
        fn: [start, this.kernels.length],
        bindings: bindings.map((b) => b.binding),
      });
      this.dispatches.push({ entry: pass.entry, kernel: kname, groups: pass.groups, bindings });
    }
  }
}

export function renderWgslModule(p: Program, opts: WgslModuleOptions = {}): WgslModule {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const layout = planLayout(p, limits, scratchSize(p));
  const whole = perBufferBindings(p, layout, limits) > limits.maxBindingsPerBindGroup;
  const m = new ModuleBuilder(p, layout, limits, opts.matmul ?? 'workgroup', whole);
  for (const s of p.steps) m.addStep(s);
  if (m.kernels.some((l) => l.includes('f32_bits('))) m.helpers.add('f32_bits');
  const head = [
    ...(opts.header ?? []).map((h) => `// ${commentText(h)}`),
    `// Kernels: ${p.stats.kernels}. Temporary memory: ${p.stats.peakBytes} bytes in ${p.slots.length} reused buffers.`,
    ...(whole ? [`// ${commentText(wholeArenasNote(p, limits))}`] : []),
    '',
  ];
  const common = [
    ...(m.shared.size ? ['', ...[...m.shared].sort()] : []),
    ...helperText(m.helpers).flatMap((h) => ['', ...h.split('\n')]),
  ];
  const wgsl = [...head, ...m.bindings.decls, ...common, ...m.kernels];
  const at = { decls: head.length, common: head.length + m.bindings.decls.length };
  const fns = at.common + common.length;
  const dispatches = m.dispatches.map((d, i) => {
    const { fn, bindings } = m.parts[i]!;
    const decl = (n: number): [number, number] => [at.decls + 2 * n + 1, at.decls + 2 * n + 2];
    const source: (readonly [number, number])[] = [
      ...[...bindings].sort((a, b) => a - b).map(decl),
      [at.common, fns],
      [fns + fn[0], fns + fn[1]],
    ];
    return { ...d, source };
  });
  const plan = hostPlan(p, layout, dispatches, limits, m.bindings.decls.length / 2);
  return { wgsl: indent(wgsl).join('\n') + '\n', plan };
}

/** Distinct bindings the program needs when each buffer gets its own. */
function perBufferBindings(p: Program, layout: Layout, limits: WgslLimits): number {
  const keys = new Set<string | number>();
  for (const s of p.steps) {
    const bufs = stepBuffers(s);
    if (bufs.length <= limits.maxStorageBuffersPerShaderStage) bufs.forEach((b) => keys.add(b));
    else bufs.forEach((b) => keys.add(layout.regions.get(b)!.arena));
  }
  return keys.size;
}

const wholeArenasNote = (p: Program, limits: WgslLimits) =>
  `Every kernel binds whole arenas: the ${p.buffers.length} buffers would need more than ` +
  `maxBindingsPerBindGroup (${limits.maxBindingsPerBindGroup}) bindings.`;

function docOf(buf: string, byName: Map<string, BufferInfo>): string {
  if (buf === PARTIALS) return 'partial results of two-pass reductions';
  const b = byName.get(buf)!;
  const slot = b.role === 'temp' ? ` (slot ${b.slot})` : '';
  return `${b.role} ${b.name}: ${b.dtype}[${b.shape.join(', ')}]${slot}`;
}

/** Indent by brace depth (kernels are emitted flat). */
function indent(lines: readonly string[]): string[] {
  let depth = 0;
  return lines.map((l) => {
    if (l.startsWith('//')) return depth > 0 ? '  '.repeat(depth) + l : l;
    if (l.startsWith('}')) depth--;
    const out =
      l && !l.startsWith('fn ') && depth > 0 && !/^\s/.test(l) ? '  '.repeat(depth) + l : l;
    depth +=
      (l.match(/\{/g) ?? []).length - (l.match(/\}/g) ?? []).length + (l.startsWith('}') ? 1 : 0);
    return out;
  });
}

function hostPlan(
  p: Program,
  layout: Layout,
  dispatches: DispatchPlan[],
  limits: WgslLimits,
  bindingCount: number,
): HostPlan {
  const tensor = (name: string, buf: string, dtype: string, shape: readonly number[]) => ({
    name,
    region: layout.regions.get(buf)!,
    dtype,
    shape,
  });
  const role = (r: string) =>
    p.buffers.filter((b) => b.role === r).map((b) => tensor(b.name, b.name, b.dtype, b.shape));
  const required: Record<string, number> = {};
  const need = (key: keyof WgslLimits, value: number) => {
    if (value > DEFAULT_LIMITS[key]) required[key] = Math.max(required[key] ?? 0, value);
  };
  for (const d of dispatches) {
    need('maxStorageBuffersPerShaderStage', d.bindings.length);
    for (const b of d.bindings) need('maxStorageBufferBindingSize', b.size * 4);
  }
  for (const a of layout.arenas) need('maxBufferSize', a.size * 4);
  need('maxBindingsPerBindGroup', bindingCount);
  if (bindingCount > limits.maxBindingsPerBindGroup) {
    throw new WgslLimitError(
      `the program binds ${bindingCount} distinct buffers, over maxBindingsPerBindGroup ${limits.maxBindingsPerBindGroup}`,
    );
  }
  return {
    arenas: layout.arenas,
    dispatches,
    inputs: role('input'),
    params: role('param'),
    outputs: p.outputs.map((o) => tensor(o.name, o.buf, o.dtype, o.shape)),
    consts: p.buffers
      .filter((b) => b.role === 'const')
      .map((b) => ({ region: layout.regions.get(b.name)!, values: b.values ?? [] })),
    requiredLimits: required,
  };
}
