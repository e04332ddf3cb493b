// Program → one shader module per dispatch, as data (bindings numbered from 0, the shared
// declarations it uses, its function), the .wgsl file (one module, every kernel an entry point),
// and the host plan: arenas, each dispatch's shader, grid and bound ranges, where tensors live.
import type { ShaderData } from '../../src/runtime/wgsl-device.ts';
import type { BufferInfo, CheckStep, Kernel, Program, Step } from '../../src/schedule/kernel.ts';
import { kernelsOf } from '../../src/schedule/kernel.ts';
import { readsOf, writesOf } from '../../src/schedule/walk.ts';
import { commentText, NameManager, sanitize } from '../names.ts';
import { WGSL_CALLS } from './expr.ts';
import { HELPER_NAMES, helpersCalled, helperText } from './helpers.ts';
import type { Arena, Layout, Region, WgslLimits } from './layout.ts';
import { DEFAULT_LIMITS, PARTIALS, planLayout, WgslLimitError } from './layout.ts';
import { copyPass, guardLines, kernelPasses, partialsOf } from './kernels.ts';
import type { KernelCtx, Pass } from './kernels.ts';
import type { MatmulStrategy } from './matmul.ts';
import { hostPlan } from './host-plan.ts';
import { Placeholders, resolveShader } from './shader.ts';
import type { Bound, Declare, RenderedShader } from './shader.ts';

/** One binding of a dispatch: binding number (from 0 in each shader) and the arena range. */
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
  /** Index into HostPlan.shaders: kernels whose code differs only in names share one. */
  readonly shader: number;
  readonly bindings: readonly BindingPlan[];
}

/** The `kernel` of a step's dispatches: the kernel's name, or copy_<from>_to_<to>. */
export const dispatchKernel = (s: Exclude<Step, { kind: 'check' }>): string =>
  s.kind === 'kernel' ? s.kernel.name : `copy_${s.from}_to_${s.to}`;

export interface TensorPlan {
  readonly name: string;
  readonly region: Region;
  readonly dtype: string;
  readonly shape: readonly number[];
}

export interface HostPlan {
  readonly arenas: readonly Arena[];
  readonly dispatches: readonly DispatchPlan[];
  /** Distinct shader modules, as data the host assembles (see src/runtime/wgsl-host.ts). */
  readonly shaders: readonly ShaderData[];
  /** Workgroup arrays and helper functions, by name, declared in the modules that use them. */
  readonly common: Readonly<Record<string, string>>;
  readonly inputs: readonly TensorPlan[];
  readonly params: readonly TensorPlan[];
  readonly outputs: readonly TensorPlan[];
  readonly consts: readonly { readonly region: Region; readonly values: readonly number[] }[];
  /** Limits above the WebGPU defaults that this program needs. */
  readonly requiredLimits: Readonly<Record<string, number>>;
  /** The numerics guard (absent when off): its status arena and [buffer, what] per word. */
  readonly numerics?: NumericsPlan;
}

/** Where the kernels' finiteness checks report: one u32 word per checked buffer, in step order. */
export interface NumericsPlan {
  readonly arena: number;
  readonly sites: readonly (readonly [string, string])[];
}

export interface WgslModule {
  /** The program for reading: shared declarations once, then each kernel with its bindings. */
  readonly wgsl: string;
  readonly plan: HostPlan;
}

// WGSL reserved words and builtins: a module-scope name would shadow or break them.
const WGSL_RESERVED = new Set(
  (
    'as async attribute auto await become cast catch class const_cast default delete do enum ' +
    'export extends extern filter final finally from get goto impl import in inline interface ' +
    'layout let macro match meta mod module move mut namespace new nil null of operator package ' +
    'pass precision priv public ref register require resource self set shared sizeof smooth ' +
    'static super target template this throw trait try type typedef typename typeof union ' +
    'unless unsafe use using varying virtual where with yield true false if else return ' +
    'switch case break continue continuing for while loop const fn var main ' +
    // The rest of the spec's reserved words (an unlabeled output named `std` must not break).
    'NULL Self abstract active alignas alignof asm asm_fragment binding_array co_await co_return ' +
    'co_yield coherent column_major common compile compile_fragment concept consteval constexpr ' +
    'constinit crate debugger decltype demote demote_to_helper dynamic_cast explicit external ' +
    'fallthrough friend fxgroup groupshared highp implements instanceof lowp macro_rules mediump ' +
    'mutable noexcept noinline nointerpolation noperspective nullptr packoffset partition patch ' +
    'pixelfragment precise premerge protected pub readonly regardless reinterpret_cast restrict ' +
    'snorm static_assert static_cast std subroutine thread_local typeid unorm unsized volatile ' +
    'wgsl writeonly ' +
    // Builtin functions and types (a module-scope name would shadow them).
    'abs acos asin atan atan2 ceil clamp cos cosh cross degrees distance dot exp exp2 floor fma ' +
    'fract frexp inverseSqrt ldexp length log log2 max min mix modf normalize pow radians round ' +
    'saturate sign sin sinh smoothstep sqrt step tan tanh trunc select all any arrayLength ' +
    'bitcast workgroupBarrier storageBarrier f16 f32 i32 u32 bool vec2 vec3 vec4 vec2f vec3f ' +
    'vec4f vec2i vec3i vec4i vec2u vec3u vec4u array atomic ptr'
  ).split(' '),
);

/** Program-wide names of buffers, their vec4 views and entry points (unique among themselves). */
class Names {
  private readonly ids = new NameManager([...HELPER_NAMES, ...WGSL_CALLS]);
  private readonly bufs = new Map<string, string>();
  private readonly vec4s = new Map<string, string>();
  take(name: string): string {
    const s = sanitize(name);
    return this.ids.take(WGSL_RESERVED.has(s) ? `${s}_buf` : s);
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

  /** Binding declarations by `name@binding:type`, so that the .wgsl file is one module. */
  private readonly decls = new Map<string, string>();
  /**
   * The declared variable for `b` at `binding`: its program-wide name the first time, reused by
   * every kernel binding it at that number, a fresh name (`x_2`) at another number or where the
   * body already uses the name (WGSL forbids redeclaring a module-scope name).
   */
  readonly declare: Declare = (b, binding, avoid) => {
    const key = `${b.name}@${binding}:${b.type}`;
    const known = this.decls.get(key);
    if (known !== undefined && !avoid.has(known)) return known;
    // b.name is reserved for b (a buffer, its vec4 view, an arena): its first declaration has it.
    let name = this.declared.has(b.name) ? this.take(b.name) : b.name;
    while (avoid.has(name)) name = this.take(`${b.name}_buf`);
    this.declared.add(name);
    if (known === undefined) this.decls.set(key, name);
    return name;
  };
  private readonly declared = new Set<string>();
}

const arenaId = (a: number, arena: Arena) => `arena_${arena.dtype}_${a}`;

function stepBuffers(s: Step): string[] {
  if (s.kind === 'check') return [];
  if (s.kind === 'copy') return [s.from, s.to];
  const k = s.kernel;
  const bufs = new Set([...readsOf(k), ...writesOf(k)]);
  if (partialsOf(k) > 0) bufs.add(PARTIALS);
  return [...bufs];
}

function scratchSize(p: Program): number {
  let n = 0;
  for (const k of kernelsOf(p)) n = Math.max(n, partialsOf(k));
  return n;
}

function renderPasses(s: Step, c: KernelCtx, strategy: MatmulStrategy): Pass[] {
  if (s.kind === 'check') return []; // rendered inside the kernel that wrote the buffer
  if (s.kind === 'copy') return [copyPass(s.from, s.to, s.size, c)];
  return kernelPasses(s.kernel, c, strategy);
}

export interface WgslModuleOptions {
  readonly limits?: WgslLimits;
  readonly header?: readonly string[];
  /** How matmuls are tiled: 'workgroup' (GPUs, the default) or 'lane' (CPU adapters). */
  readonly matmul?: MatmulStrategy;
}

/** One dispatch while the module is built: its shader, and its own text for the .wgsl file. */
interface Part {
  readonly notes: readonly string[];
  readonly rendered: RenderedShader;
  readonly dispatch: DispatchPlan;
}

/** Accumulates shaders and dispatches while walking the step list. */
class ModuleBuilder {
  readonly names = new Names();
  /** Workgroup arrays and helpers used by some kernel. */
  readonly workgroup = new Map<string, string>();
  readonly helpers = new Set<string>();
  readonly shaders: ShaderData[] = [];
  readonly parts: Part[] = [];
  /** The numerics guard's [buffer, what] per status word, in step order. */
  readonly checks: (readonly [string, string])[] = [];
  private readonly shaderOf = new Map<string, number>();
  private readonly byName: Map<string, BufferInfo>;

  constructor(
    p: Program,
    readonly layout: Layout,
    readonly limits: WgslLimits,
    readonly strategy: MatmulStrategy,
    /** The numerics guard's status arena and its size in words (null when the guard is off). */
    readonly status: { readonly arena: number; readonly words: number } | null,
  ) {
    this.byName = new Map(p.buffers.map((b) => [b.name, b]));
    layout.arenas.forEach((a, i) => this.names.take(arenaId(i, a)));
    this.statusName = status ? this.names.take('numerics') : '';
    for (const b of p.buffers) this.names.buf(b.name);
  }

  /** The numerics guard's status binding's name. */
  private readonly statusName: string;

  /** Accesses through placeholders: buffers bound one by one, or offsets into whole arenas. */
  private access(ph: Placeholders, whole: boolean): Pick<KernelCtx, 'access' | 'access4'> {
    const { regions, arenas } = this.layout;
    const doc = (buf: string) => docOf(buf, this.byName);
    const bound = (buf: string, name: string, type: string, d: string): Bound => {
      const r = regions.get(buf)!;
      return { name, type, doc: d, arena: r.arena, offset: r.offset, size: r.size };
    };
    if (whole) {
      const access = (buf: string, idx: string) => {
        const r = regions.get(buf)!;
        const arena = arenas[r.arena]!;
        const id = ph.of(`a:${r.arena}`, () => ({
          ...{ name: arenaId(r.arena, arena), type: arena.dtype, arena: r.arena },
          ...{ doc: `arena ${r.arena}: ${arena.dtype} buffers at fixed offsets` },
          ...{ offset: 0, size: arena.size },
        }));
        return `${id}[${r.offset ? `${r.offset}i + ${idx}` : idx}]`;
      };
      // A vec4 view is a binding of its own (overlapping a whole arena would be rejected).
      return { access, access4: null };
    }
    return {
      access: (buf, idx) => {
        const id = ph.of(`b:${buf}`, () =>
          bound(buf, this.names.buf(buf), regions.get(buf)!.dtype, doc(buf)),
        );
        return `${id}[${idx}]`;
      },
      access4: (buf, idx) => {
        const id = ph.of(`v:${buf}`, () =>
          bound(buf, this.names.vec4(buf), 'vec4<f32>', `${doc(buf)}, as vec4`),
        );
        return `${id}[${idx}]`;
      },
    };
  }

  /** The dispatches of step `s`; `checks` are the numerics guard's checks of what it writes. */
  addStep(s: Step, checks: readonly CheckStep[] = []): void {
    if (s.kind === 'check') return;
    const kname = dispatchKernel(s);
    const words = new Map(checks.map((c) => [c.buf, this.checks.push([c.buf, c.what]) - 1]));
    // The status words are one more binding of their own.
    const count = stepBuffers(s).length + (words.size > 0 ? 1 : 0);
    const max = this.limits.maxStorageBuffersPerShaderStage;
    const whole = count > max;
    const ph = new Placeholders();
    const shared = new Map<string, string>();
    const ctx: KernelCtx = {
      ...this.access(ph, whole),
      entry: this.names.take(kname),
      fresh: (b) => this.names.take(b),
      limits: this.limits,
      shared,
      guard: (buf, at) => {
        const word = words.get(buf);
        if (word === undefined || !this.status) return [];
        const { arena, words: size } = this.status;
        const status = ph.of('status', () => ({
          ...{ name: this.statusName, type: 'atomic<u32>', arena, offset: 0, size },
          doc: 'numerics guard: per checked buffer, its first non-finite element (index·4 + kind)',
        }));
        return guardLines(status, word, ctx.access(buf, at), at);
      },
    };
    const notes =
      s.kind === 'kernel' ? s.kernel.notes : [`param update: copy ${s.from} into ${s.to}`];
    const wholeNote = whole
      ? [`binds whole arenas: ${count} buffers exceed the limit of ${max} per shader stage`]
      : [];
    for (const pass of renderPasses(s, ctx, this.strategy)) {
      const rendered = resolveShader(pass.entry, pass.code, ph, shared, this.names.declare);
      if (rendered.bindings.length > max) {
        throw new WgslLimitError(
          `kernel ${kname} needs ${rendered.bindings.length} storage buffers even with arenas (limit ${max})`,
        );
      }
      for (const u of rendered.uses) {
        const decl = shared.get(u);
        if (decl) this.workgroup.set(u, decl);
        else this.helpers.add(u);
      }
      let shader = this.shaderOf.get(rendered.key);
      if (shader === undefined) {
        shader = this.shaders.push(rendered.shader) - 1;
        this.shaderOf.set(rendered.key, shader);
      }
      const bindings = rendered.bindings.map((b, binding) => ({
        ...{ binding, arena: b.arena, offset: b.offset, size: b.size },
      }));
      const passNotes = pass.entry === ctx.entry ? notes : [`second pass of ${ctx.entry}`];
      const dispatch = { entry: pass.entry, kernel: kname, groups: pass.groups, shader, bindings };
      this.parts.push({ notes: [...passNotes, ...wholeNote], rendered, dispatch });
    }
  }

  /**
   * The program for reading: shared declarations once, then each kernel (its notes, its bindings
   * with what they hold, its function); records where each shader's body starts.
   */
  /** Workgroup arrays by name, then helpers in their fixed order. */
  common(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of [...this.workgroup.keys()].sort()) out[k] = this.workgroup.get(k)!;
    for (const k of helpersCalled(this.helpers)) out[k] = helperText(k);
    return out;
  }

  text(head: readonly string[]): string {
    const out = [...head];
    for (const text of Object.values(this.common())) out.push('', ...text.split('\n'));
    const lineOf = new Map<number, number>();
    const declared = new Set<string>();
    for (const { notes, rendered, dispatch } of this.parts) {
      out.push('', ...notes.map((n) => `// ${commentText(n)}`));
      rendered.bindings.forEach((b, n) => {
        const [name, type] = rendered.shader.bindings[n]!;
        if (declared.has(name)) {
          out.push(`// @binding(${n}) ${name} (declared above): ${commentText(b.doc)}`);
          return;
        }
        declared.add(name);
        out.push(`// ${commentText(b.doc)}`);
        out.push(`@group(0) @binding(${n}) var<storage, read_write> ${name}: array<${type}>;`);
      });
      if (!lineOf.has(dispatch.shader)) lineOf.set(dispatch.shader, out.length + 1);
      out.push(...rendered.text.split('\n'));
    }
    this.shaders.forEach((sh, i) => (this.shaders[i] = { ...sh, line: lineOf.get(i)! }));
    return out.join('\n') + '\n';
  }
}

export function renderWgslModule(p: Program, opts: WgslModuleOptions = {}): WgslModule {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const planned = planLayout(p, limits, scratchSize(p));
  // The numerics guard's status words get an arena of their own (bound beside whole arenas).
  const words = p.steps.filter((s) => s.kind === 'check').length;
  const status = words > 0 ? { arena: planned.arenas.length, words } : null;
  const layout: Layout = status
    ? { ...planned, arenas: [...planned.arenas, { dtype: 'i32', size: words }] }
    : planned;
  const m = new ModuleBuilder(p, layout, limits, opts.matmul ?? 'workgroup', status);
  p.steps.forEach((s, i) => m.addStep(s, checksAfter(p.steps, i)));
  const head = [
    ...(opts.header ?? []).map((h) => `// ${commentText(h)}`),
    `// Kernels: ${p.stats.kernels}. Temporary memory: ${p.stats.peakBytes} bytes in ${p.slots.length} reused buffers.`,
    '// One WGSL module; each kernel is an entry point binding its buffers from @binding(0). A',
    '// binding is declared where first used and shared by later kernels binding it at that number.',
    '// The host builds one module per kernel from the same declarations, helpers and function.',
  ];
  const wgsl = m.text(head);
  const plan = hostPlan(
    p,
    layout,
    m.parts.map((x) => x.dispatch),
    m.shaders,
    m.common(),
  );
  return {
    wgsl,
    plan: status ? { ...plan, numerics: { arena: status.arena, sites: m.checks } } : plan,
  };
}

/** The check steps right after step i (the numerics guard's checks of what it wrote). */
function checksAfter(steps: readonly Step[], i: number): CheckStep[] {
  const out: CheckStep[] = [];
  for (let j = i + 1; j < steps.length; j++) {
    const s = steps[j]!;
    if (s.kind !== 'check') break;
    out.push(s);
  }
  return out;
}

function docOf(buf: string, byName: Map<string, BufferInfo>): string {
  if (buf === PARTIALS) return 'partial results of two-pass reductions';
  const b = byName.get(buf)!;
  const slot = b.role === 'temp' ? ` (slot ${b.slot})` : '';
  return `${b.role} ${b.name}: ${b.dtype}[${b.shape.join(', ')}]${slot}`;
}
