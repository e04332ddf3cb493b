// Algebraic simplification: the rules, as data, applied by the rewrite engine. Each rule looks only
// at one node and its inputs. Every rule preserves values exactly for finite inputs, and for ±∞/NaN
// too except `x·0 → 0`, which fires only when x is a leaf whose values are finite (see below); the
// scale-merging and sum-merging rules reassociate (as any reduction order does), so they agree up
// to float rounding.
import type { Graph } from '../ir/graph.ts';
import type { Node } from '../ir/node.ts';
import { canBroadcastTo, sameShape } from '../ir/shape.ts';
import { factsOf, finiteByConstruction, isOp } from '../ops/dispatch.ts';
import { broadcastAxes } from '../ops/movement.ts';
import { make, rewriteGraph } from './rewrite.ts';
import type { PassResult, Rule } from './rewrite.ts';

/** The value of a uniform constant node, or null. */
function constValue(n: Node): number | null {
  return isOp(n, 'constant') ? n.attrs.value : null;
}

const is = (n: Node, v: number): boolean => constValue(n) === v;

/**
 * Our choice for `x·0 → 0`: fire only when x's values are finite by construction (the op table's
 * `finite` fact: finite literals, iota, random draws, fed inputs and params), seen through
 * relayouts. Any computed x (exp, div, log, …) may be ±∞ or NaN, where x·0 is NaN, not 0.
 */
function finiteLeaf(x: Node): boolean {
  let n = x;
  while (factsOf(n.op).layout) n = n.inputs[0]!;
  return finiteByConstruction(n);
}

function zerosOf(like: Node): Node {
  return make(like, 'constant', [], { value: 0, shape: [...like.shape], dtype: like.dtype });
}

/** reshape that is skipped when the shape already matches. */
function reshapeTo(like: Node, x: Node, shape: readonly number[]): Node {
  return sameShape(x.shape, shape) ? x : make(like, 'reshape', [x], { shape: [...shape] });
}

type In = readonly Node[];
const sameAxes = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** sum over exactly the axes a broadcast added → the value, reshaped, times the count. */
function sumOfBroadcast(n: Node): Node | null {
  const b = n.inputs[0]!;
  if (!isOp(n, 'sum') || b.op !== 'broadcast') return null;
  const x = b.inputs[0]!;
  const axes = n.attrs.axes;
  if (!sameAxes(axes, broadcastAxes(x.shape, b.shape))) return null;
  const count = axes.reduce((c, a) => c * b.shape[a]!, 1);
  const k = make(n, 'constant', [], { value: count, shape: [...n.shape], dtype: n.dtype });
  return make(n, 'mul', [reshapeTo(n, x, n.shape), k]);
}

/** A uniform constant shaped like `like`. */
function uniform(like: Node, value: number): Node {
  return make(like, 'constant', [], { value, shape: [...like.shape], dtype: like.dtype });
}

/** Split a product into (x, k) when one side is a uniform constant k. */
function scaled(n: Node): [Node, number] | null {
  if (n.op !== 'mul') return null;
  const [a, b] = n.inputs as [Node, Node];
  const kb = constValue(b);
  if (kb !== null) return [a, kb];
  const ka = constValue(a);
  return ka !== null ? [b, ka] : null;
}

function doubledScale(n: Node): Node | null {
  const s = n.op === 'add' && n.inputs[0] === n.inputs[1] ? scaled(n.inputs[0]!) : null;
  return s && n.dtype === 'f32' ? make(n, 'mul', [s[0], uniform(n, 2 * s[1])]) : null;
}

function mergeScales(n: Node): Node | null {
  const outer = scaled(n);
  const inner = outer && scaled(outer[0]);
  if (!outer || !inner || n.dtype !== 'f32') return null;
  return make(n, 'mul', [inner[0], uniform(n, inner[1] * outer[1])]);
}

function sumOfScaled(n: Node): Node | null {
  if (!isOp(n, 'sum')) return null;
  const s = scaled(n.inputs[0]!);
  // Only where the scale hides a reduce under this one (then sum∘sum merges them).
  if (!s || n.dtype !== 'f32' || s[0].op !== 'sum') return null;
  const inner = make(n, 'sum', [s[0]], { axes: [...n.attrs.axes] });
  return make(n, 'mul', [sumOfSum(inner) ?? inner, uniform(n, s[1])]);
}

function sumOfSum(n: Node): Node | null {
  const r = n.inputs[0]!;
  if (!isOp(n, 'sum') || !isOp(r, 'sum')) return null;
  // The outer sum's axes name axes of the inner result: map them back to axes of x.
  const kept = r.inputs[0]!.shape.map((_, i) => i).filter((i) => !r.attrs.axes.includes(i));
  const axes = [...r.attrs.axes, ...n.attrs.axes.map((a) => kept[a]!)].sort((p, q) => p - q);
  return make(n, 'sum', [r.inputs[0]!], { axes });
}

export const RULES: readonly Rule[] = [
  // x·1 → x
  { name: 'x·1 → x', apply: (n) => (n.op === 'mul' && is(n.inputs[1]!, 1) ? n.inputs[0]! : null) },
  // 1·x → x
  { name: '1·x → x', apply: (n) => (n.op === 'mul' && is(n.inputs[0]!, 1) ? n.inputs[1]! : null) },
  // x·0 → 0 and 0·x → 0, only for finite-by-construction x (NaN·0 is NaN).
  {
    name: 'x·0 → 0',
    apply: (n) => {
      if (n.op !== 'mul') return null;
      const [a, b] = n.inputs as In;
      const zero = (is(a!, 0) && finiteLeaf(b!)) || (is(b!, 0) && finiteLeaf(a!));
      return zero ? zerosOf(n) : null;
    },
  },
  // x+0 → x
  { name: 'x+0 → x', apply: (n) => (n.op === 'add' && is(n.inputs[1]!, 0) ? n.inputs[0]! : null) },
  // 0+x → x
  { name: '0+x → x', apply: (n) => (n.op === 'add' && is(n.inputs[0]!, 0) ? n.inputs[1]! : null) },
  // x−0 → x
  { name: 'x−0 → x', apply: (n) => (n.op === 'sub' && is(n.inputs[1]!, 0) ? n.inputs[0]! : null) },
  // 0−x → −x
  {
    name: '0−x → −x',
    apply: (n) => (n.op === 'sub' && is(n.inputs[0]!, 0) ? make(n, 'neg', [n.inputs[1]!]) : null),
  },
  // x/1 → x
  { name: 'x/1 → x', apply: (n) => (n.op === 'div' && is(n.inputs[1]!, 1) ? n.inputs[0]! : null) },
  // −(−x) → x
  {
    name: '−(−x) → x',
    apply: (n) => (n.op === 'neg' && n.inputs[0]!.op === 'neg' ? n.inputs[0]!.inputs[0]! : null),
  },
  // log(exp x) → x  (exp(log x) is NaN for x < 0, so it stays)
  {
    name: 'log(exp x) → x',
    apply: (n) => (n.op === 'log' && n.inputs[0]!.op === 'exp' ? n.inputs[0]!.inputs[0]! : null),
  },
  // where(c, x, x) → x
  {
    name: 'where(c, x, x) → x',
    apply: (n) => (n.op === 'where' && n.inputs[1] === n.inputs[2] ? n.inputs[1]! : null),
  },
  // cast x to its own dtype → x
  {
    name: 'cast(x: t, t) → x',
    apply: (n) => (n.op === 'cast' && n.inputs[0]!.dtype === n.dtype ? n.inputs[0]! : null),
  },
  // reshape, permute or broadcast of a constant → a constant of the new shape
  {
    name: 'view(constant) → constant',
    apply: (n) => {
      const v = factsOf(n.op).layout ? constValue(n.inputs[0]!) : null;
      if (v === null) return null;
      return make(n, 'constant', [], { value: v, shape: [...n.shape], dtype: n.dtype });
    },
  },
  // reshape or broadcast to the shape x already has → x
  {
    name: 'view to its own shape → x',
    apply: (n) =>
      (n.op === 'reshape' || n.op === 'broadcast') && sameShape(n.inputs[0]!.shape, n.shape)
        ? n.inputs[0]!
        : null,
  },
  // reshape(reshape(x)) → reshape(x)
  {
    name: 'reshape∘reshape → reshape',
    apply: (n) => {
      const r = n.inputs[0]!;
      if (n.op !== 'reshape' || r.op !== 'reshape') return null;
      return reshapeTo(n, r.inputs[0]!, n.shape);
    },
  },
  // permute(permute(x, p), q) → permute(x, p∘q), or x when that is the identity
  {
    name: 'permute∘permute → permute',
    apply: (n) => {
      const r = n.inputs[0]!;
      if (!isOp(n, 'permute') || !isOp(r, 'permute')) return null;
      const p = r.attrs.perm;
      const perm = n.attrs.perm.map((q) => p[q]!);
      if (perm.every((v, i) => v === i)) return r.inputs[0]!;
      return make(n, 'permute', [r.inputs[0]!], { perm });
    },
  },
  // broadcast(broadcast(x)) → broadcast(x)
  {
    name: 'broadcast∘broadcast → broadcast',
    apply: (n) => {
      const r = n.inputs[0]!;
      if (n.op !== 'broadcast' || r.op !== 'broadcast') return null;
      const x = r.inputs[0]!;
      return canBroadcastTo(x.shape, n.shape)
        ? make(n, 'broadcast', [x], { shape: [...n.shape] })
        : null;
    },
  },
  // sum over the axes a broadcast added → x·count
  { name: 'sum(broadcast x) → x·count', apply: (n) => (n.op === 'sum' ? sumOfBroadcast(n) : null) },
  // x·k + x·k → x·2k: the fan-in sum of a value used twice (as in d·d); exact (2k·x = 2·(k·x))
  { name: 'x·k + x·k → x·2k', apply: doubledScale },
  // (x·a)·b → x·(a·b) for constants a, b (reassociates: rounds once instead of twice)
  { name: '(x·a)·b → x·(ab)', apply: mergeScales },
  // Σ(Σx·k) → (Σx)·k over the union of axes, for a constant k (linearity, then sum∘sum)
  { name: 'sum(sum(x)·k) → sum(x)·k', apply: sumOfScaled },
  // sum(sum(x, A), B) → sum(x, A ∪ B): one reduction instead of two (reassociates the sum)
  { name: 'sum∘sum → sum', apply: sumOfSum },
];

export function simplify(g: Graph): PassResult {
  return rewriteGraph(g, RULES);
}
