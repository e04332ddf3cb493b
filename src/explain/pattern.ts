// A graph node as textbook math: views (broadcast, reshape) are transparent, constants fold into
// scales, and the forms a derivation collapses to are recognized as data-shaped patterns —
// σ'(z) = a(1 − a), ReLU' = [z > 0], softmax(z) written ŷ, one-hot labels, ½‖a − y‖².
import type { Node } from '../ir/node.ts';
import type { Math } from './math.ts';
import { bin, fn, num, scale, sym } from './math.ts';

/** Deeper expressions are cut with a node reference: equations stay readable and bounded. */
const MAX_DEPTH = 24;

const TRANSPARENT: ReadonlySet<string> = new Set(['broadcast', 'reshape', 'stop_gradient', 'cast']);

/** A permute that swaps the last two axes only: a (batched) transpose, written ᵀ. */
function isTranspose(n: Node): boolean {
  if (n.op !== 'permute') return false;
  const perm = n.attrs['perm'] as readonly number[];
  const r = perm.length;
  return r >= 2 && perm.every((p, i) => (i < r - 2 ? p === i : p === 2 * r - 3 - i));
}

/** A view: moves or repeats elements without computing (shown as its input). */
const isView = (n: Node) =>
  (TRANSPARENT.has(n.op) || (n.op === 'permute' && n.rank > 2 && !isTranspose(n))) &&
  n.inputs.length === 1 &&
  n.dtype === n.inputs[0]!.dtype;

/** Look through unnamed views, stopping at a named node (a value the user wants to see). */
export function strip(n: Node): Node {
  let cur = n;
  while (isView(cur) && !cur.inputs[0]!.label) cur = cur.inputs[0]!;
  return isView(cur) ? cur.inputs[0]! : cur;
}

/** concat of window slices of one tensor X (conv2d's im2col), else null. */
function im2colOf(n: Node): Node | null {
  if (n.op !== 'concat' || n.inputs.length < 2) return null;
  const srcs = n.inputs.map((p) => {
    const s = p.op === 'reshape' ? p.inputs[0]! : p;
    return s.op === 'slice' ? s.inputs[0]! : null;
  });
  const x = srcs[0];
  return x && srcs.every((s) => s === x) ? x : null;
}

const FOLD: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/**
 * The value of a constant-valued expression (fills, through views and scalar arithmetic, as the
 * loss's 1/m and ½ reach the backward pass), else null. Iterative: a stack of pending nodes.
 */
function constValue(n: Node): number | null {
  const value = new Map<Node, number>();
  const stack = [strip(n)];
  while (stack.length) {
    const cur = stack[stack.length - 1]!;
    if (cur.op === 'constant') {
      value.set(cur, cur.attrs['value'] as number);
      stack.pop();
      continue;
    }
    const f = FOLD[cur.op] ?? (cur.op === 'neg' ? (a: number) => -a : undefined);
    if (!f || stack.length > 16) return null;
    const ins = cur.inputs.map(strip);
    const missing = ins.filter((x) => !value.has(x));
    if (missing.length) {
      stack.push(...missing);
      continue;
    }
    value.set(cur, f(value.get(ins[0]!)!, ins[1] ? value.get(ins[1])! : 0));
    stack.pop();
  }
  return value.get(strip(n)) ?? null;
}

/** cast(eq(broadcast(labels), iota)): integer labels as one-hot rows. */
function oneHotLabels(n: Node): Node | null {
  if (n.op !== 'cast') return null;
  const e = n.inputs[0]!;
  if (e.op !== 'eq') return null;
  const [a, b] = e.inputs.map(strip);
  if (b?.op === 'iota' && a) return a;
  if (a?.op === 'iota' && b) return b;
  return null;
}

/**
 * softmax(x), written either way gradc builds it: exp(x − lse(x)) with lse the logsumexp custom
 * rule of the same x, or the accurate exp((x − max x) − log Σ exp(x − max x)) of the composite.
 */
function softmaxOf(n: Node): Node | null {
  if (n.op !== 'exp' || n.inputs[0]!.op !== 'sub') return null;
  const [x, l] = n.inputs[0]!.inputs;
  const lse = strip(l!);
  if (lse.op === 'custom_vjp' && lse.attrs['rule'] === 'logsumexp' && lse.inputs[1] === x) {
    return x!;
  }
  return shiftedSoftmaxOf(x!, lse);
}

/** `s − log Σ exp(s)` with s = x − max x: the x of that softmax, else null. */
function shiftedSoftmaxOf(s: Node, logSum: Node): Node | null {
  if (s.op !== 'sub' || logSum.op !== 'log') return null;
  const sum = strip(logSum.inputs[0]!);
  if (sum.op !== 'sum' || strip(sum.inputs[0]!).op !== 'exp') return null;
  if (strip(strip(sum.inputs[0]!).inputs[0]!) !== s) return null;
  const [x, m] = s.inputs;
  const max = strip(m!);
  return max.op === 'max' && unclamp(strip(max.inputs[0]!)) === strip(x!) ? x! : null;
}

/** x out of minimum(maximum(x, −F), F): the shift's max reads x clamped to the finite range. */
function unclamp(n: Node): Node {
  const inner = n.op === 'minimum' ? strip(n.inputs[0]!) : null;
  return inner?.op === 'maximum' ? strip(inner.inputs[0]!) : n;
}

/**
 * The softmax's backward as gradc derives it through exp(s − log Σ exp s):
 * (g ⊙ P) + (−Σ(g ⊙ P) / Σ exp s) ⊙ exp s, which is P ⊙ (g − Σ_row g ⊙ P). Returns g and P.
 */
function softmaxBackward(n: Node): { g: Node; p: Node } | null {
  if (n.op !== 'add') return null;
  const [a, b] = n.inputs.map(strip) as [Node, Node];
  if (a.op !== 'mul' || b.op !== 'mul' || !softmaxOf(strip(a.inputs[1]!))) return null;
  const [b0, b1] = b.inputs.map(strip) as [Node, Node];
  const [e, q] = b0.op === 'exp' ? [b0, b1] : [b1, b0];
  if (e.op !== 'exp' || q.op !== 'div') return null;
  const den = strip(q.inputs[1]!);
  if (den.op !== 'sum' || strip(den.inputs[0]!) !== e) return null;
  // −Σ(g ⊙ P): the negation on either side of the sum.
  let num = strip(q.inputs[0]!);
  if (num.op === 'neg') num = strip(num.inputs[0]!);
  if (num.op !== 'sum') return null;
  let inner = strip(num.inputs[0]!);
  if (inner.op === 'neg') inner = strip(inner.inputs[0]!);
  return inner === a ? { g: a.inputs[0]!, p: a.inputs[1]! } : null;
}

/** reciprocal(√(Var(x) + ε)) over the last axis (layer norm's 1/σ): x, else null. */
function rstdOf(n: Node): Node | null {
  if (n.op !== 'reciprocal') return null;
  const r = strip(n.inputs[0]!);
  if (r.op !== 'sqrt') return null;
  const v = strip(r.inputs[0]!);
  if (v.op !== 'add' || constValue(v.inputs[1]!) === null) return null;
  // Var(x) = mean((x − mean x)²): sum of a product of (x − …) with itself, divided.
  const mean = strip(v.inputs[0]!);
  const sq = mean.op === 'div' ? strip(strip(mean.inputs[0]!).inputs[0] ?? mean) : null;
  if (!sq || sq.op !== 'mul' || sq.inputs[0] !== sq.inputs[1]) return null;
  const dev = strip(sq.inputs[0]!);
  return dev.op === 'sub' ? strip(dev.inputs[0]!) : null;
}

/** (1/n) Σ over the last axis of a rank ≥ 2 value: a row mean (layer norm's μ and its backward). */
function rowMeanOf(n: Node): Node | null {
  if (n.op !== 'div') return null;
  const s = strip(n.inputs[0]!);
  if (s.op !== 'sum') return null;
  const x = s.inputs[0]!;
  const axes = s.attrs['axes'] as readonly number[];
  const ok = x.rank >= 2 && axes.length === 1 && axes[0] === x.rank - 1;
  return ok && constValue(n.inputs[1]!) === x.shape[x.rank - 1] ? x : null;
}

/** A definition an equation uses: `name = def`. */
export interface Where {
  readonly name: Math;
  readonly def: Math;
  /** '=' defines the name; ':' says what the name is (a remark in words, e.g. a skip's term). */
  readonly rel?: '=' | ':';
}

interface Ctx {
  readonly stops: ReadonlyMap<Node, Math>;
  readonly root: Node;
  /** The root without its views: never replaced by its own stop. */
  readonly core: Node;
  readonly where: Where[];
  readonly batch: number;
  /** Layer norm's x̂ nodes by their input x: the name prefix of its x̂, μ and σ. */
  readonly norms: ReadonlyMap<Node, string>;
}

/** Add a definition once. */
function define(c: Ctx, name: Math, def: Math): void {
  if (!c.where.some((w) => JSON.stringify(w.name) === JSON.stringify(name))) {
    c.where.push({ name, def });
  }
}

/** x̂ = (x − μ)/σ, with μ and σ defined: layer norm's normalized form. */
function normalized(n: Node, c: Ctx, d: number): Math {
  const x = n.inputs[1]!;
  const prefix = c.norms.get(x) ?? 'norm';
  const [mu, sigma] = [sym(`${prefix}.μ`), sym(`${prefix}.σ`)];
  const mx = go(x, c, d);
  define(c, mu, fn('mean', mx));
  const eps = (n.attrs['args'] as readonly number[])[0]!;
  define(c, sigma, fn('sqrt', bin('+', fn('Var', mx), num(eps))));
  return bin('/', bin('−', mx, mu), sigma);
}

function sumOver(n: Node, c: Ctx): string {
  const axes = n.attrs['axes'] as readonly number[];
  const inShape = n.inputs[0]!.shape;
  if (axes.length === 1 && axes[0] === 0 && inShape[0] === c.batch) return 'batch';
  return `axis ${axes.join(',')}`;
}

/**
 * mᵀ, simplified where a transpose cancels: (aᵀ)ᵀ = a, (aᵀ·b)ᵀ = bᵀ·a, and a scale or a division
 * by a number passes through ((g/√d)ᵀ = gᵀ/√d). Other products keep their outer ᵀ.
 */
function transposed(m: Math): Math {
  if (m.k === 'T') return m.a;
  if (m.k === 'scale') return scale(m.c, transposed(m.a));
  if (m.k === 'bin' && m.op === '/' && (m.b.k === 'root' || m.b.k === 'num')) {
    return bin('/', transposed(m.a), m.b);
  }
  if (m.k === 'bin' && m.op === '·' && (m.a.k === 'T' || m.b.k === 'T')) {
    return bin('·', transposed(m.b), transposed(m.a));
  }
  return { k: 'T', a: m };
}

/** c·m, with attention's 1/√d written as a division by √d (d not a square: else it is 1/k). */
function scaleBy(k: number, m: Math): Math {
  const n = Math.round(1 / (k * k));
  const isRoot = k > 0 && n >= 2 && Math.abs(1 / (k * k) - n) < 1e-6 * n;
  return isRoot && !Number.isInteger(Math.sqrt(n)) ? bin('/', m, { k: 'root', n }) : scale(k, m);
}

function mulOf(n: Node, c: Ctx, d: number): Math {
  const [a, b] = n.inputs as [Node, Node];
  // σ'(z) reusing a = σ(z): (g ⊙ a) ⊙ (1 − a)  →  g ⊙ a(1 − a)
  if (b.op === 'sub' && a.op === 'mul' && constValue(b.inputs[0]!) === 1) {
    const s = b.inputs[1]!;
    if (s.op === 'sigmoid' && a.inputs[1] === s) {
      const z = go(s.inputs[0]!, c, d);
      const sigd: Math = { k: 'sigd', a: go(s, c, d) };
      const name = fn("σ'", z);
      if (!c.where.some((w) => JSON.stringify(w.name) === JSON.stringify(name))) {
        c.where.push({ name, def: sigd });
      }
      return bin('⊙', go(a.inputs[0]!, c, d), sigd);
    }
  }
  if (a === b) return { k: 'sq', a: go(a, c, d) };
  const sx = rstdOf(strip(b));
  if (sx && c.norms.has(sx)) return bin('/', go(a, c, d), sym(`${c.norms.get(sx)}.σ`));
  const [ca, cb] = [constValue(a), constValue(b)];
  if (ca !== null) return scaleBy(ca, go(b, c, d));
  if (cb !== null) return scaleBy(cb, go(a, c, d));
  // A scalar factor (the learning rate) reads better in front: lr · ∂L/∂W.
  if (strip(b).rank === 0 && a.rank > 0) return bin('·', go(b, c, d), go(a, c, d));
  if (strip(a).rank === 0 && b.rank > 0) return bin('·', go(a, c, d), go(b, c, d));
  const [ma, mb] = [go(a, c, d), go(b, c, d)];
  if (ma.k === 'scale') return scale(ma.c, bin('⊙', ma.a, mb));
  if (mb.k === 'scale') return scale(mb.c, bin('⊙', ma, mb.a));
  return bin('⊙', ma, mb);
}

function opOf(n: Node, c: Ctx, d: number): Math {
  const ins = n.inputs;
  const arg = (i: number) => go(ins[i]!, c, d);
  switch (n.op) {
    case 'constant':
      return num(n.attrs['value'] as number);
    case 'add':
      return ins[0] === ins[1] ? scale(2, arg(0)) : bin('+', arg(0), arg(1));
    case 'sub': {
      const cb = constValue(ins[1]!);
      return cb !== null && cb !== 0 ? bin('−', arg(0), num(cb)) : bin('−', arg(0), arg(1));
    }
    case 'mul':
      return mulOf(n, c, d);
    case 'div': {
      const row = rowMeanOf(n);
      if (row) return fn('mean', go(row, c, d));
      const cb = constValue(ins[1]!);
      return cb !== null ? scale(1 / cb, arg(0)) : bin('/', arg(0), arg(1));
    }
    case 'neg':
      return scale(-1, arg(0));
    case 'matmul':
      return bin('·', arg(0), arg(1));
    case 'permute':
      return isTranspose(n) ? transposed(arg(0)) : fn('permute', arg(0));
    case 'pow': {
      return bin('^', arg(0), arg(1));
    }
    case 'cast': {
      // An indicator: [a = b] (max pooling routes the gradient to the maximum).
      const e = ins[0]!;
      if (e.op === 'eq')
        return { k: 'ind', a: go(e.inputs[0]!, c, d), rel: '=', b: go(e.inputs[1]!, c, d) };
      return arg(0);
    }
    case 'sum': {
      const x = strip(ins[0]!);
      const axes = n.attrs['axes'] as readonly number[];
      if (
        x.op === 'mul' &&
        x.inputs[0] === x.inputs[1] &&
        axes.length === 1 &&
        axes[0] === x.rank - 1
      ) {
        return { k: 'norm2', a: go(x.inputs[0]!, c, d) };
      }
      return { k: 'sum', over: sumOver(n, c), a: arg(0) };
    }
    case 'where': {
      // ReLU's derivative: where(z > 0, g, 0)  →  g ⊙ [z > 0]
      const cond = ins[0]!;
      if (cond.op === 'gt' && constValue(cond.inputs[1]!) === 0 && constValue(ins[2]!) === 0) {
        return bin('⊙', arg(1), { k: 'ind', a: go(cond.inputs[0]!, c, d), rel: '>', b: num(0) });
      }
      return fn('where', arg(0), arg(1), arg(2));
    }
    case 'custom_vjp': {
      const rule = n.attrs['rule'] as string;
      if (rule === 'softmax_ce') return fn('CE', arg(1), arg(2));
      if (rule === 'logsumexp') return fn('logsumexp', arg(1));
      if (rule === 'normalize') return normalized(n, c, d);
      return arg(0);
    }
    default:
      return fn(n.op, ...ins.map((_, i) => arg(i)));
  }
}

function go(n0: Node, c: Ctx, d: number): Math {
  // A named root (a forward equation) shows its own op, even a view: image = reshape(x).
  const n = n0 === c.root && n0.label ? n0 : strip(n0);
  if (n0 !== c.root && n !== c.core) {
    const stop = c.stops.get(n0) ?? c.stops.get(n);
    if (stop) return stop;
  }
  if (d > MAX_DEPTH) return sym(`%${n.id}`);
  const windows = im2colOf(n);
  if (windows) {
    const x = go(windows, c, d + 1);
    const k = Math.round(Math.sqrt(n.inputs.length));
    const size = k * k === n.inputs.length ? `${k}x${k}` : `${n.inputs.length}`;
    const name = fn('im2col', x);
    if (!c.where.some((w) => JSON.stringify(w.name) === JSON.stringify(name))) {
      c.where.push({
        name,
        def: sym(`its ${size} windows as columns (a correlation as one matmul)`),
      });
    }
    return name;
  }
  if (n.op === 'input' || n.op === 'param') return sym(n.label ?? n.op);
  const labels = oneHotLabels(n);
  if (labels) return fn('onehot', go(labels, c, d + 1));
  const sb = softmaxBackward(n);
  if (sb) {
    const [g, p] = [go(sb.g, c, d + 1), go(sb.p, c, d + 1)];
    return bin('⊙', p, bin('−', g, { k: 'sum', over: 'row', a: bin('⊙', g, p) }));
  }
  const sm = softmaxOf(n);
  // A named softmax (attention's probabilities) is itself: softmax(scores).
  if (sm && n === c.root) return fn('softmax', go(sm, c, d + 1));
  if (sm) {
    // softmax + cross-entropy collapses to ŷ − y: name the softmax ŷ, and say so once.
    if (!c.where.some((w) => w.name.k === 'sym' && w.name.name === 'ŷ')) {
      c.where.push({ name: sym('ŷ'), def: fn('softmax', go(sm, c, d + 1)) });
    }
    return sym('ŷ');
  }
  return opOf(n, c, d + 1);
}

/** `root` as math, stopping at `stops` (named values, δs); `where` lists definitions used. */
export function toMath(
  root: Node,
  stops: ReadonlyMap<Node, Math>,
  norms: ReadonlyMap<Node, string> = new Map(),
): { math: Math; where: Where[] } {
  const x = root.graph.inputs.get('x');
  const c: Ctx = { stops, root, core: strip(root), where: [], batch: x?.shape[0] ?? -1, norms };
  return { math: go(root, c, 0), where: c.where };
}
