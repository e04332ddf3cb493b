// Runs gradient-check table cases: seeded operand values in their domains, the output reduced to
// a scalar by a random weighting, then first-order or second-order (grad of grad) checks.
import * as B from '../../src/builder/ops.ts';
import { gradCheck } from '../../src/autodiff/check.ts';
import type { GradCheckReport } from '../../src/autodiff/check.ts';
import { grad } from '../../src/autodiff/grad.ts';
import { Graph } from '../../src/ir/graph.ts';
import { mulberry32 } from '../../src/ir/init.ts';
import type { Node } from '../../src/ir/node.ts';
import type { Domain, GradCase, GradRow } from './gradcheck-table.ts';

function shuffle(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** `n` values from domain `d`. */
export function sampleDomain(d: Domain, n: number, rand: () => number): number[] {
  const jitter = () => (rand() - 0.5) * 0.06;
  const draw = (): number => {
    switch (d.kind) {
      case 'uniform':
        return d.lo + (d.hi - d.lo) * rand();
      case 'away':
        return (rand() < 0.5 ? -1 : 1) * (d.lo + (d.hi - d.lo) * rand());
      case 'lattice':
        return 0.4 * Math.floor(rand() * 7 - 3) + 0.2 * d.parity + jitter();
      case 'nonInteger':
        return Math.floor(rand() * 6 - 3) + 0.2 + 0.6 * rand();
      case 'index':
        return Math.floor(rand() * d.n);
      case 'distinct':
        return 0;
    }
  };
  if (d.kind === 'distinct') return shuffle(n, rand).map((k) => (k - n / 2) * 0.1 + jitter() / 3);
  return Array.from({ length: n }, draw);
}

export interface BuiltCase {
  readonly g: Graph;
  readonly y: Node;
  readonly loss: Node;
  readonly wrt: readonly Node[];
  readonly feeds: Record<string, number[]>;
}

/** Build the case in a fresh graph: operands x0, x1…, y = build(xs), loss = Σ y ⊙ w. */
export function buildCase(row: GradRow, c: GradCase, seed: number): BuiltCase {
  const rand = mulberry32(seed);
  const g = new Graph(row.name);
  const feeds: Record<string, number[]> = {};
  const wrt: Node[] = [];
  const xs = c.operands.map((op, k) => {
    const domain = op.domain ?? row.domain;
    const isIndex = domain.kind === 'index';
    const x = g.input(`x${k}`, op.shape, isIndex ? 'i32' : 'f32');
    feeds[`x${k}`] = sampleDomain(domain, x.size, rand);
    if (!isIndex && op.wrt !== false) wrt.push(x);
    return x;
  });
  const y = c.build(xs);
  // A random weighting makes every output element matter (a plain sum hides sign errors).
  const w = g.input('w', y.shape);
  feeds['w'] = sampleDomain({ kind: 'uniform', lo: -1, hi: 1 }, w.size, rand);
  const loss = B.sum(B.mul(y, w));
  return { g, y, loss, wrt, feeds };
}

/** First order: grad(loss) against finite differences of the loss. */
export function checkFirst(row: GradRow, c: GradCase, seed: number): GradCheckReport {
  const { g, loss, wrt, feeds } = buildCase(row, c, seed);
  return gradCheck(g, loss, wrt, feeds, {}, { atol: row.tol, rtol: row.tol });
}

/**
 * Second order: with random directions v, the scalar Σₖ ⟨∂loss/∂xₖ, vₖ⟩ is built from the symbolic
 * first derivatives; its symbolic gradient (grad of grad) is checked against its finite differences.
 */
export function checkSecond(row: GradRow, c: GradCase, seed: number): GradCheckReport {
  const { g, loss, wrt, feeds } = buildCase(row, c, seed);
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const firsts = grad(loss, wrt);
  const terms = firsts.map((d, k) => {
    const v = g.input(`v${k}`, d.shape);
    feeds[`v${k}`] = sampleDomain({ kind: 'uniform', lo: -1, hi: 1 }, v.size, rand);
    return B.sum(B.mul(d, v));
  });
  const dot = terms.reduce((a, b) => B.add(a, b));
  return gradCheck(g, dot, wrt, feeds, {}, { atol: row.tol, rtol: row.tol });
}
