// einsum with PyTorch's string syntax ('bij,bjk->bik', 'ij->ji', 'ii->i', '...ij,...jk', implicit
// output, size-1 broadcasting) as a composite: diagonals are strided views, lone letters are sums,
// each pair of operands is one (batched) matmul after a permute and reshape, and the result is
// permuted to the output order.
import { opError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import type { Site } from '../ir/site.ts';
import * as B from './ops.ts';

/** An operand with one letter per axis. */
interface Term {
  readonly x: Node;
  readonly letters: string;
}

interface Parsed {
  /** Each operand's labels: its letters, with '...' expanded into ellipsis labels. */
  readonly inputs: readonly string[];
  readonly output: string;
  /** Every label's size after broadcasting (a size-1 axis takes the other operands' size). */
  readonly sizes: ReadonlyMap<string, number>;
}

const ELLIPSIS = '...';
/** The label of broadcast ellipsis axis `d` (counted from the left of the widest ellipsis). */
const ellipsisLabel = (d: number) => String.fromCharCode(0x2460 + d);
const isEllipsis = (c: string) => !/[a-zA-Z]/.test(c);

function parse(spec: string, xs: readonly Node[], site: Site): Parsed {
  const fail = (detail: string) =>
    opError(
      'attr',
      'einsum',
      `'${spec}': ${detail}`,
      xs.map((x) => x.shape),
      site,
    );
  const eq = spec.replace(/\s+/g, '');
  const arrow = eq.split('->');
  if (arrow.length > 2) throw fail("more than one '->'");
  const given = arrow[0]!.split(',');
  if (given.length !== xs.length) {
    throw fail(`${given.length} subscripts for ${xs.length} operands`);
  }
  for (const s of [...given, arrow[1] ?? '']) {
    const rest = s.replace(ELLIPSIS, '');
    if (rest.includes('.')) {
      throw fail(`subscript '${s}': '.' outside the one ellipsis '...' it may have`);
    }
    const bad = [...rest].find((c) => !/[a-zA-Z]/.test(c));
    if (bad !== undefined) throw fail(`subscript '${s}': '${bad}' is not a letter`);
  }
  // Ellipses are right-aligned and broadcast together, as PyTorch does: the widest has `wide` axes.
  const covered = given.map((s, k) => {
    const letters = s.replace(ELLIPSIS, '').length;
    const has = s.includes(ELLIPSIS);
    if (has ? letters > xs[k]!.rank : letters !== xs[k]!.rank) {
      throw fail(`subscript '${s}' has ${letters} letters for operand ${k} of rank ${xs[k]!.rank}`);
    }
    return has ? xs[k]!.rank - letters : 0;
  });
  const wide = Math.max(0, ...covered);
  const ellipsis = (n: number) => Array.from({ length: n }, (_, d) => ellipsisLabel(wide - n + d));
  const inputs = given.map((s, k) => s.replace(ELLIPSIS, ellipsis(covered[k]!).join('')));
  const sizes = labelSizes(inputs, given, xs, fail);
  let output: string;
  if (arrow.length === 2) {
    const written = arrow[1]!;
    // An explicit output without '...' sums the ellipsis axes (PyTorch's rule).
    output = written.replace(ELLIPSIS, ellipsis(wide).join(''));
    for (const c of written.replace(ELLIPSIS, '')) {
      if (!sizes.has(c)) throw fail(`output subscript '${written}': '${c}' is in no input`);
      if (written.indexOf(c) !== written.lastIndexOf(c)) {
        throw fail(`output subscript '${written}': '${c}' appears twice`);
      }
    }
  } else {
    // Implicit output (as numpy and PyTorch): the ellipsis axes, then the letters used once,
    // in alphabetical order.
    const all = given.join('').replace(/\./g, '');
    const once = [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c)).sort();
    output = [...ellipsis(wide), ...once].join('');
  }
  return { inputs, output, sizes };
}

/**
 * The size of every label: a letter repeated within one operand (a diagonal) must have one size
 * there; across operands, sizes must match or be 1 (broadcast), as for elementwise ops.
 */
function labelSizes(
  inputs: readonly string[],
  given: readonly string[],
  xs: readonly Node[],
  fail: (detail: string) => Error,
): Map<string, number> {
  const sizes = new Map<string, number>();
  const shown = (c: string) =>
    isEllipsis(c) ? `the '...' axis ${c.charCodeAt(0) - 0x2460}` : `'${c}'`;
  inputs.forEach((s, k) => {
    const own = new Map<string, number>();
    [...s].forEach((c, d) => {
      const n = xs[k]!.shape[d]!;
      const mine = own.get(c);
      if (mine !== undefined && mine !== n) {
        throw fail(`subscript '${given[k]}': ${shown(c)} is ${n} and ${mine} on one operand`);
      }
      own.set(c, n);
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== n && seen !== 1 && n !== 1) {
        throw fail(`subscript '${given[k]}': ${shown(c)} is ${n} here but ${seen} elsewhere`);
      }
      sizes.set(c, Math.max(n, seen ?? 1));
    });
  });
  return sizes;
}

/**
 * Drop the size-1 axes whose label is larger elsewhere: the one value is used for every index
 * (broadcast), so the label simply leaves this operand.
 */
function squeezeBroadcast(t: Term, sizes: ReadonlyMap<string, number>): Term {
  const keep = [...t.letters].flatMap((c, d) =>
    t.x.shape[d] === 1 && sizes.get(c)! > 1 ? [] : [d],
  );
  if (keep.length === t.letters.length) return t;
  return {
    x: B.reshape(
      t.x,
      keep.map((d) => t.x.shape[d]!),
    ),
    letters: keep.map((d) => t.letters[d]!).join(''),
  };
}

/** Take the diagonal of every letter repeated within one operand ('ii' → 'i'). */
function diagonals(t: Term): Term {
  let { x, letters } = t;
  for (;;) {
    const c = [...letters].find((l) => letters.indexOf(l) !== letters.lastIndexOf(l));
    if (c === undefined) return { x, letters };
    const at = [...letters].flatMap((l, d) => (l === c ? [d] : []));
    const rest = [...letters].flatMap((l, d) => (l === c ? [] : [d]));
    const n = x.shape[at[0]!]!;
    const moved = B.permute(x, [...rest, ...at]);
    const flat = B.reshape(moved, [...rest.map((d) => x.shape[d]!), n ** at.length]);
    // Element (i, i, …, i) of the flattened repeated axes sits at i·(1 + n + n² + …).
    const step = (n ** at.length - 1) / (n - 1 || 1);
    const whole = rest.map((d) => [0, x.shape[d]!]);
    x = B.slice(flat, [...whole, [0, n ** at.length, Math.max(1, step)]]);
    letters = rest.map((d) => letters[d]!).join('') + c;
  }
}

/** Sum out the letters that `keep` does not mention. */
function sumOut(t: Term, keep: (c: string) => boolean): Term {
  const axes = [...t.letters].flatMap((c, d) => (keep(c) ? [] : [d]));
  if (!axes.length) return t;
  return { x: B.sum(t.x, axes), letters: [...t.letters].filter((c) => keep(c)).join('') };
}

const sizeOf = (t: Term, cs: readonly string[]) =>
  cs.reduce((p, c) => p * t.x.shape[t.letters.indexOf(c)]!, 1);
const dimsOf = (t: Term, cs: readonly string[]) => cs.map((c) => t.x.shape[t.letters.indexOf(c)]!);

/** a ⋅ b over their shared letters not in `keep`, as one matmul [batch, free a, free b]. */
function contract(a: Term, b: Term, keep: (c: string) => boolean): Term {
  const shared = [...a.letters].filter((c) => b.letters.includes(c));
  const batch = shared.filter(keep);
  const inner = shared.filter((c) => !keep(c));
  const freeA = [...a.letters].filter((c) => !shared.includes(c));
  const freeB = [...b.letters].filter((c) => !shared.includes(c));
  const order = (t: Term, cs: readonly string[]) =>
    B.permute(
      t.x,
      cs.map((c) => t.letters.indexOf(c)),
    );
  const [nb, m, k, n] = [sizeOf(a, batch), sizeOf(a, freeA), sizeOf(a, inner), sizeOf(b, freeB)];
  const lead = batch.length ? [nb] : [];
  const am = B.reshape(order(a, [...batch, ...freeA, ...inner]), [...lead, m, k]);
  const bm = B.reshape(order(b, [...batch, ...inner, ...freeB]), [...lead, k, n]);
  const shape = [...dimsOf(a, batch), ...dimsOf(a, freeA), ...dimsOf(b, freeB)];
  return {
    x: B.reshape(B.matmul(am, bm), shape),
    letters: [...batch, ...freeA, ...freeB].join(''),
  };
}

/**
 * Einstein summation over `xs` with PyTorch's equation syntax: letters name axes, a letter shared
 * by operands is multiplied along, a letter absent from the output is summed. Without '->', the
 * output is the ellipsis axes, then the letters used once, sorted. A '...' covers the axes no
 * letter names; ellipses broadcast together (right-aligned), as do size-1 axes of a letter.
 */
export function einsum(spec: string, ...xs: Node[]): Node {
  const site = captureSite();
  if (!xs.length) throw opError('attr', 'einsum', `'${spec}': no operands`, [], site);
  const { inputs, output, sizes } = parse(spec, xs, site);
  let terms = inputs.map((letters, k) =>
    squeezeBroadcast(diagonals({ x: xs[k]!, letters }), sizes),
  );
  // A letter only one operand has and the output lacks is summed right away.
  const uses = (c: string, skip: number) =>
    output.includes(c) || terms.some((t, j) => j !== skip && t.letters.includes(c));
  terms = terms.map((t, k) => sumOut(t, (c) => uses(c, k)));
  let acc = terms[0]!;
  for (let k = 1; k < terms.length; k++) {
    const later = terms.slice(k + 1);
    acc = contract(
      acc,
      terms[k]!,
      (c) => output.includes(c) || later.some((t) => t.letters.includes(c)),
    );
  }
  acc = sumOut(acc, (c) => output.includes(c));
  return B.permute(
    acc.x,
    [...output].map((c) => acc.letters.indexOf(c)),
  );
}
