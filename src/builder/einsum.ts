// einsum with PyTorch's string syntax ('bij,bjk->bik', 'ij->ji', 'ii->i', implicit output), as a
// composite: diagonals are strided views, lone letters are sums, each pair of operands is one
// (batched) matmul after a permute and reshape, and the result is permuted to the output order.
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
  readonly inputs: readonly string[];
  readonly output: string;
}

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
  const inputs = arrow[0]!.split(',');
  if (inputs.length !== xs.length) {
    throw fail(`${inputs.length} subscripts for ${xs.length} operands`);
  }
  for (const s of [...inputs, arrow[1] ?? '']) {
    if (s.includes('.')) throw fail(`subscript '${s}': ellipsis '...' is not supported`);
    const bad = [...s].find((c) => !/[a-zA-Z]/.test(c));
    if (bad !== undefined) throw fail(`subscript '${s}': '${bad}' is not a letter`);
  }
  inputs.forEach((s, k) => {
    if (s.length !== xs[k]!.rank) {
      throw fail(
        `subscript '${s}' has ${s.length} letters for operand ${k} of rank ${xs[k]!.rank}`,
      );
    }
  });
  const sizes = new Map<string, number>();
  inputs.forEach((s, k) =>
    [...s].forEach((c, d) => {
      const n = xs[k]!.shape[d]!;
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== n) {
        throw fail(`subscript '${s}': '${c}' is ${n} here but ${seen} elsewhere`);
      }
      sizes.set(c, n);
    }),
  );
  let output: string;
  if (arrow.length === 2) {
    output = arrow[1]!;
    for (const c of output) {
      if (!sizes.has(c)) throw fail(`output subscript '${output}': '${c}' is in no input`);
      if (output.indexOf(c) !== output.lastIndexOf(c)) {
        throw fail(`output subscript '${output}': '${c}' appears twice`);
      }
    }
  } else {
    // Implicit output (as numpy and PyTorch): the letters used once, in alphabetical order.
    const all = inputs.join('');
    output = [...new Set(all)]
      .filter((c) => all.indexOf(c) === all.lastIndexOf(c))
      .sort()
      .join('');
  }
  return { inputs, output };
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
 * output is the letters used once, sorted. Ellipsis is not supported.
 */
export function einsum(spec: string, ...xs: Node[]): Node {
  const site = captureSite();
  if (!xs.length) throw opError('attr', 'einsum', `'${spec}': no operands`, [], site);
  const { inputs, output } = parse(spec, xs, site);
  let terms = inputs.map((letters, k) => diagonals({ x: xs[k]!, letters }));
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
