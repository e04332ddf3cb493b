// Seeded random graphs over every primitive and the main composites, with values kept in safe
// domains so results stay finite: the input of differential tests, the CLI's check and benchmarks.
import * as B from '../builder/ops.ts';
import * as C from '../builder/composite.ts';
import { Graph } from '../ir/graph.ts';
import * as init from '../ir/init.ts';
import { mulberry32 } from '../ir/init.ts';
import type { Node } from '../ir/node.ts';
import { broadcastShapes, size } from '../ir/shape.ts';
import type { Shape } from '../ir/shape.ts';
import { topo } from '../ir/traverse.ts';
import { evalNode } from '../ops/dispatch.ts';
import { UNARY_OPS } from '../ops/names.ts';
import { wrappingStep } from './fuzz-int.ts';
import type { OpName, UnaryOp } from '../ops/names.ts';

export interface FuzzOptions {
  readonly seed?: number;
  /** How many ops to apply (each builds one or a few nodes). */
  readonly nodes?: number;
}

export interface FuzzGraph {
  readonly graph: Graph;
  /** A value for every input, exactly representable in float32 (i32 inputs hold valid indices). */
  readonly inputs: Record<string, Float32Array | Int32Array>;
  /** A scalar f32 loss depending on every output: Σ_k mean(out_k ⊙ w_k) with fixed weights w_k. */
  readonly lossNode: Node;
  /** The f32 nodes named as outputs `out0`, `out1`, … (the loss is output `loss`). */
  readonly outputs: readonly Node[];
}

/** Magnitudes above this are scaled down by a power of two (exact), keeping values tame. */
const TAME_ABOVE = 6;

export class Gen {
  readonly g: Graph;
  readonly pool: Node[] = [];
  readonly inputs: Record<string, Float32Array | Int32Array> = {};
  readonly leafValues = new Map<Node, Float64Array>();
  private readonly env = new Map<Node, Float64Array>();
  readonly rnd: () => number;
  private counter: Node | null = null;
  private names = 0;
  readonly universe: number[];

  /** A second stream for later additions, so that adding a draw keeps every seed's graph. */
  readonly aux: () => number;

  constructor(seed: number) {
    this.rnd = mulberry32(seed);
    this.aux = mulberry32(seed ^ 0x5bd1e995);
    this.g = new Graph(`fuzz_${seed}`);
    this.universe = [this.int(1, 4), this.int(2, 4), this.int(1, 5)];
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  floats(n: number, lo = -2, hi = 2): number[] {
    return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * this.rnd()));
  }
  fresh(prefix: string): string {
    return `${prefix}${this.names++}`;
  }

  /** A shape broadcast-compatible with the universe: a suffix of it, some dims set to 1. */
  leafShape(): number[] {
    const r = this.int(0, 3);
    return this.universe.slice(3 - r).map((d) => (this.chance(0.25) ? 1 : d));
  }

  f32Input(shape: Shape): Node {
    const x = this.g.input(this.fresh('x'), shape);
    const v = this.floats(size(shape));
    this.inputs[x.label!] = Float32Array.from(v);
    this.leafValues.set(x, Float64Array.from(v));
    return x;
  }

  param(shape: Shape): Node {
    const v = this.floats(size(shape), -1, 1);
    const p = this.g.param(this.fresh('p'), shape, init.values(v));
    this.leafValues.set(p, Float64Array.from(v));
    return p;
  }

  /** An i32 input of valid indices in [0, n). */
  indexInput(shape: Shape, n: number): Node {
    const x = this.g.input(this.fresh('idx'), shape, 'i32');
    const v = Array.from({ length: size(shape) }, () => this.int(0, n - 1));
    this.inputs[x.label!] = Int32Array.from(v);
    this.leafValues.set(x, Float64Array.from(v));
    return x;
  }

  /** The i32 scalar counter every random draw shares (like a step number). */
  counterInput(): Node {
    if (!this.counter) {
      this.counter = this.g.input('counter', [], 'i32');
      this.inputs['counter'] = Int32Array.from([this.int(0, 1000)]);
      this.leafValues.set(this.counter, Float64Array.from(this.inputs['counter']));
    }
    return this.counter;
  }

  /** The float64 value of a node (evaluated incrementally with the op table's reference rules). */
  value(n: Node): Float64Array {
    for (const m of topo([n])) {
      if (this.env.has(m)) continue;
      const leaf = this.leafValues.get(m);
      const ins = m.inputs.map((x) => this.env.get(x)!);
      this.env.set(m, leaf ?? evalNode(m, ins));
    }
    return this.env.get(n)!;
  }

  maxAbs(n: Node): number {
    let m = 0;
    for (const v of this.value(n)) m = Math.max(m, Math.abs(v));
    return m;
  }

  /** Add a node to the pool, scaled by a power of two when its values grew too large. */
  push(n: Node): Node {
    const m = this.maxAbs(n);
    if (!Number.isFinite(m)) throw new Error(`fuzz: non-finite value from ${n.op}`);
    const tamed = m > TAME_ABOVE ? B.mul(n, 2 ** -Math.ceil(Math.log2(m / 4))) : n;
    this.pool.push(tamed);
    return tamed;
  }

  /** A pool node, biased towards recent ones so graphs grow deep as well as wide. */
  any(pred: (n: Node) => boolean = () => true): Node | null {
    const ok = this.pool.filter(pred);
    if (ok.length === 0) return null;
    const recent = ok.slice(-4);
    return this.chance(0.5) ? this.pick(recent) : this.pick(ok);
  }

  /** A pool node whose shape broadcasts with `a` (a itself when nothing else fits). */
  partner(a: Node): Node {
    return this.any((n) => n !== a && broadcastShapes(n.shape, a.shape) !== null) ?? a;
  }
}

type Step = (s: Gen, x: Node) => Node | null;

/** |x| < 1, smoothly: keeps exp-like ops tame and inverse trig inside its domain. */
const squash = (x: Node): Node => B.tanh(x);

/**
 * How the fuzzer applies each unary primitive, with its input mapped into the op's domain. A
 * mapped type over the op table's unary names: a new op fails to typecheck until it has a line.
 * Rounding ops read a fed leaf, whose float32 value is the same in every backend (a computed value
 * near an integer could round differently in float32 and float64).
 */
const UNARY_FUZZ: { readonly [P in UnaryOp]: (s: Gen, x: Node) => Node } = {
  neg: (_s, x) => B.neg(x),
  exp: (s, x) => B.exp(s.maxAbs(x) <= 4 ? x : squash(x)),
  log: (s, x) =>
    s.pick([
      () => B.log(B.add(B.mul(x, x), 1)),
      () => B.log(B.add(B.abs(x), 0.5)),
      () => B.log(B.sigmoid(x)),
    ])(),
  sqrt: (s, x) => (s.chance(0.5) ? B.sqrt(B.add(B.mul(x, x), 0.25)) : B.sqrt(B.add(B.abs(x), 0.1))),
  reciprocal: (_s, x) => B.reciprocal(B.add(B.mul(x, x), 1)),
  sin: (_s, x) => B.sin(x),
  cos: (_s, x) => B.cos(x),
  tanh: (_s, x) => B.tanh(x),
  sigmoid: (_s, x) => B.sigmoid(x),
  relu: (_s, x) => B.relu(x),
  abs: (_s, x) => B.abs(x),
  sign: (_s, x) => B.mul(B.sign(x), x),
  log1p: (_s, x) => B.log1p(B.abs(x)),
  expm1: (_s, x) => B.expm1(squash(x)),
  softplus: (_s, x) => B.unary('softplus', x),
  erf: (_s, x) => B.erf(x),
  tan: (_s, x) => B.tan(squash(x)),
  asin: (_s, x) => B.asin(B.mul(squash(x), 0.9)),
  acos: (_s, x) => B.acos(B.mul(squash(x), 0.9)),
  atan: (_s, x) => B.atan(x),
  sinh: (_s, x) => B.sinh(squash(x)),
  cosh: (_s, x) => B.cosh(squash(x)),
  asinh: (_s, x) => B.asinh(x),
  atanh: (_s, x) => B.atanh(B.mul(squash(x), 0.9)),
  floor: (s, x) => B.add(x, B.floor(s.f32Input(x.shape))),
  ceil: (s, x) => B.add(x, B.ceil(s.f32Input(x.shape))),
  round: (s, x) => B.add(x, B.round(s.f32Input(x.shape))),
  trunc: (s, x) => B.add(x, B.trunc(s.f32Input(x.shape))),
};

const unaryStep: Step = (s, x) =>
  s.chance(0.1) ? B.square(x) : UNARY_FUZZ[s.pick(UNARY_OPS)](s, x);

const binaryStep: Step = (s, a) => {
  const b = s.partner(a);
  switch (s.int(0, 7)) {
    case 0:
      return B.add(a, b);
    case 1:
      return B.sub(a, b);
    case 2:
      return B.mul(a, b);
    case 3:
      return B.div(a, B.add(B.mul(b, b), 1));
    case 4:
      return B.pow(B.add(B.abs(a), 0.5), B.mul(b, 0.5));
    case 5:
      return B.maximum(a, b);
    case 6:
      return B.minimum(a, b);
    default:
      return B.add(B.mul(a, 0.5), 1.25);
  }
};

const compareStep: Step = (s, a) => {
  // Shifted by a fed leaf: two computed values equal in exact arithmetic (asinh(x) and x for tiny
  // x, 1·1 and 1) may differ by one float32 rounding, and a comparison must not sit on such a tie.
  const p = s.partner(a);
  const b = B.add(p, B.mul(s.f32Input(p.shape), 0.25));
  const cmp = s.pick([B.eq, B.ne, B.lt, B.le, B.gt, B.ge]);
  const c = cmp(a, b);
  if (s.chance(0.3)) return B.mul(B.cast(c, 'f32'), s.partner(c));
  const x = s.partner(c);
  // The other branch must broadcast with both the condition and the first branch.
  const fits = (n: Node) =>
    n.dtype === 'f32' && [c.shape, x.shape].every((t) => broadcastShapes(n.shape, t) !== null);
  const y = s.chance(0.5) ? s.any(fits) : null;
  return B.where(c, x, y ?? -0.5);
};

function randomAxes(s: Gen, rank: number): number[] {
  const axes = Array.from({ length: rank }, (_, i) => i).filter(() => s.chance(0.5));
  return axes.length ? axes : [s.int(0, rank - 1)];
}

const reduceStep: Step = (s, x) => {
  if (x.rank === 0) return null;
  const axes = randomAxes(s, x.rank);
  const keep = s.chance(0.5);
  if (s.chance(0.25)) return B.cumsum(x, s.int(0, x.rank - 1), s.chance(0.5));
  if (s.chance(0.5)) return B.max(x, axes, keep);
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return B.mul(B.sum(x, axes, keep), 1 / count);
};

/** A random shape with the same number of elements (prime factors dealt to 1–3 axes). */
function reshapeTo(s: Gen, n: number): number[] {
  const dims = Array.from({ length: s.int(1, 3) }, () => 1);
  for (let m = n, p = 2; m > 1;) {
    if (m % p === 0) {
      dims[s.int(0, dims.length - 1)]! *= p;
      m /= p;
    } else p++;
  }
  return dims;
}

const movementStep: Step = (s, x) => {
  switch (s.int(0, 5)) {
    case 0:
      return B.reshape(x, reshapeTo(s, x.size));
    case 1: {
      if (x.rank < 2) return null;
      const perm = x.shape.map((_, i) => i).sort(() => s.rnd() - 0.5);
      return B.permute(x, perm);
    }
    case 2: {
      if (x.rank >= 4) return null;
      const shape = x.shape.map((d) => (d === 1 && s.chance(0.5) ? s.int(2, 3) : d));
      return B.broadcastTo(x, s.chance(0.5) ? [s.int(2, 3), ...shape] : shape);
    }
    case 3:
      return B.slice(
        x,
        x.shape.map((d) => {
          const start = s.int(0, d - 1);
          return [start, s.int(start + 1, d), s.int(1, 2)];
        }),
      );
    case 4: {
      const w = x.shape.map((): [number, number] => [s.int(0, 2), s.int(0, 1)]);
      const interior = x.shape.map(() => s.int(0, 1));
      return B.pad(x, w, s.pick([0, 0.5, -1]), interior);
    }
    default:
      return concatStep(s, x);
  }
};

function concatStep(s: Gen, x: Node): Node | null {
  if (x.rank === 0) return null;
  const axis = s.int(0, x.rank - 1);
  const fits = (n: Node) =>
    n.rank === x.rank &&
    n.dtype === 'f32' &&
    n.shape.every((d, i) => i === axis || d === x.shape[i]);
  const y = s.any((n) => n !== x && fits(n)) ?? B.tanh(x);
  return B.concat(s.chance(0.5) ? [x, y] : [y, x, y], axis);
}

const matmulStep: Step = (s, a) => {
  if (a.rank === 0 || a.rank > 3) return null;
  const k = a.shape[a.rank - 1]!;
  const batchOk = (n: Node) =>
    a.rank < 3 || n.rank < 3 || [1, a.shape[0]].includes(n.shape[0]!) || a.shape[0] === 1;
  const ok = (n: Node, axis: number) =>
    n.rank >= 2 && n.rank <= 3 && n.shape[n.rank + axis] === k && batchOk(n);
  const rows = s.any((n) => ok(n, -2));
  const cols = rows ? null : s.any((n) => ok(n, -1));
  const b = rows ?? (cols && B.transpose(cols)) ?? (a.rank >= 2 ? B.transpose(a) : s.param([k, 3]));
  return B.mul(B.matmul(a, b), 1 / k);
};

const indexStep: Step = (s, x) => {
  if (x.rank === 0) return null;
  const axis = s.int(0, x.rank - 1);
  const n = x.shape[axis]!;
  if (s.chance(0.5)) {
    const idxShape = s.chance(0.7) ? [s.int(1, 5)] : [s.int(1, 3), s.int(1, 2)];
    return B.gather(x, s.indexInput(idxShape, n), axis);
  }
  const size = s.int(1, 4);
  return B.scatterAdd(x, s.indexInput([n], size), axis, size);
};

const leafStep: Step = (s) => {
  const shape = s.leafShape();
  switch (s.int(0, 4)) {
    case 0: {
      const n = s.int(1, 4);
      return C.oneHot(s.indexInput([n], s.int(2, 4)), s.int(2, 4));
    }
    case 1: {
      if (shape.length === 0) return null;
      const it = B.iota(s.g, shape, s.int(0, shape.length - 1));
      return B.mul(B.cast(it, 'f32'), 0.25);
    }
    case 2: {
      const dist = s.chance(0.5) ? 'uniform' : 'normal';
      return B.random(s.g, shape, { dist, seed: s.int(0, 99), counter: s.counterInput() });
    }
    case 3: {
      // f32 → i32 → f32 on an input (exact in both float32 and float64: no rounding ties),
      // sometimes through an i32 cumsum (the scan in i32 arithmetic).
      const ints = B.cast(B.mul(s.f32Input(shape), 2), 'i32');
      if (s.chance(0.3)) return wrappingStep(s, ints);
      const scan = shape.length > 0 && s.chance(0.5);
      return B.cast(scan ? B.cumsum(ints, s.int(0, shape.length - 1), s.chance(0.5)) : ints, 'f32');
    }
    default:
      return s.chance(0.5) ? s.f32Input(shape) : s.param(shape);
  }
};

const compositeStep: Step = (s, x) => {
  if (x.rank === 0) return null;
  const axis = s.int(0, x.rank - 1);
  switch (s.int(0, 2)) {
    case 0:
      return C.softmax(x, axis);
    case 1:
      return C.logsumexp(x, randomAxes(s, x.rank), s.chance(0.5));
    default: {
      const d = x.shape[x.rank - 1]!;
      if (d < 2) return null;
      const gamma = s.chance(0.5) ? s.param([d]) : undefined;
      return C.layerNorm(x, gamma, s.chance(0.5) ? s.param([d]) : undefined);
    }
  }
};

const STEPS: readonly [Step, number][] = [
  [unaryStep, 5],
  [binaryStep, 6],
  [compareStep, 2],
  [reduceStep, 2],
  [movementStep, 4],
  [matmulStep, 2],
  [indexStep, 2],
  [leafStep, 2],
  [compositeStep, 2],
];

function pickStep(s: Gen): Step {
  const total = STEPS.reduce((t, [, w]) => t + w, 0);
  let r = s.rnd() * total;
  for (const [step, w] of STEPS) if ((r -= w) < 0) return step;
  return STEPS[0]![0];
}

/** Nodes of the pool no later pool node was built from: the graph's natural outputs. */
function sinks(pool: readonly Node[]): Node[] {
  const used = new Set<Node>();
  for (const n of topo(pool)) for (const x of n.inputs) used.add(x);
  return [...new Set(pool)].filter((n) => !used.has(n) && n.op !== 'input' && n.op !== 'param');
}

/** Ops the fuzzer never builds, each with the reason (a test checks every other op appears). */
export const FUZZ_EXCLUDED: { readonly [P in OpName]?: string } = {};

export function fuzzGraph(opts: FuzzOptions = {}): FuzzGraph {
  const s = new Gen(opts.seed ?? 0);
  s.push(s.f32Input(s.leafShape()));
  s.push(s.f32Input(s.universe));
  s.push(s.param(s.leafShape()));
  s.push(s.param(s.universe.slice(1)));
  const target = opts.nodes ?? 20;
  for (let made = 0, tries = 0; made < target && tries < target * 10; tries++) {
    const step = pickStep(s);
    const x = s.any((n) => n.dtype === 'f32' && n.size <= 512)!;
    const y = step(s, x);
    if (!y || y.dtype !== 'f32' || y.size > 2048 || y.size === 0) continue;
    s.push(y);
    made++;
  }
  let outs = sinks(s.pool).slice(-6);
  if (outs.length === 0) outs = [B.add(s.pool[s.pool.length - 1]!, 0)];
  const terms = outs.map((o, k) => {
    s.g.output(`out${k}`, o);
    const w = B.tensor(s.g, s.floats(o.size, -1, 1), o.shape);
    return B.mul(B.sum(B.mul(o, w)), 1 / o.size);
  });
  const loss = s.g.output(
    'loss',
    terms.reduce((a, b) => B.add(a, b)),
  );
  return { graph: s.g, inputs: s.inputs, lossNode: loss, outputs: outs };
}
