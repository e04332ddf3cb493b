// Recurrent layers unrolled over a fixed number of time steps (one static graph): the Elman RNN
// and the LSTM. Backpropagation through time is plain `grad` on the unrolled graph — the weights
// are shared by every step, so their gradients sum over time. Each step's hidden state is
// labelled `${name}.h${t}`, so ∂L/∂hₜ (the gradient reaching step t) can be asked for by name.
import * as B from '../builder/ops.ts';
import { opError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import { captureSite } from '../ir/site.ts';
import { values } from '../ir/init.ts';
import type { Initializer } from './init.ts';
import { fansOf, xavierUniform, zeros } from './init.ts';
import { layerName } from './layers.ts';

export interface RecurrentOptions {
  readonly name?: string;
  /** Input weights' initializer; Xavier-uniform by default. */
  readonly init?: Initializer;
  /** Recurrent weights' initializer; Xavier-uniform by default (its gain sets the regime). */
  readonly recurrentInit?: Initializer;
}

export interface LstmOptions extends RecurrentOptions {
  /**
   * The longest dependency the task has, in steps: gives the "chrono" gate biases of Tallec &
   * Ollivier (2018), forget bias log(u) and input bias −log(u) with u spread over [1, T − 1], so
   * that at init the cell already keeps its memory over 1 … T − 1 steps. Without it the forget
   * bias is 1 (Jozefowicz et al. 2015) and the input bias 0.
   */
  readonly timeScale?: number;
}

/** The LSTM's initial bias [i f g o] (each block `hidden` wide). */
export function lstmBias(hidden: number, timeScale?: number): number[] {
  const b = new Array<number>(4 * hidden).fill(0);
  for (let j = 0; j < hidden; j++) {
    if (timeScale === undefined) {
      b[hidden + j] = 1;
      continue;
    }
    const u = 1 + ((timeScale - 2) * (j + 0.5)) / hidden; // quantiles of U(1, T − 1)
    b[hidden + j] = Math.log(u);
    b[j] = -Math.log(u);
  }
  return b;
}

export interface ElmanOptions extends RecurrentOptions {
  /** The state's nonlinearity: tanh (Elman's) by default. */
  readonly activation?: 'tanh' | 'relu';
}

/** An unrolled layer: every step's hidden state (h₁ … h_T, each [B, H]) and the last one. */
export interface Unrolled {
  readonly states: readonly Node[];
  readonly last: Node;
}

/** x [B, T, D] → T views xₜ [B, D] (the sequence's steps, in order). */
export function timeSteps(x: Node, layer: string): Node[] {
  if (x.rank !== 3) {
    throw opError('shape', `${layer}`, 'needs x [batch, time, features]', [x.shape], captureSite());
  }
  const [b, t, d] = x.shape as [number, number, number];
  return Array.from({ length: t }, (_, i) =>
    B.reshape(
      B.slice(x, [
        [0, b],
        [i, i + 1],
      ]),
      [b, d],
    ),
  );
}

/**
 * Elman RNN: hₜ = φ(xₜ·Wx + hₜ₋₁·Wh + b), h₀ = 0 (so step 1 has no recurrent term), φ = tanh.
 * Params `${name}.Wx` [D, H], `${name}.Wh` [H, H], `${name}.b` [H].
 */
export function elmanRnn(x: Node, hidden: number, opts: ElmanOptions = {}): Unrolled {
  const g = x.graph;
  const name = layerName(g, 'rnn', opts.name);
  const xs = timeSteps(x, `elmanRnn '${name}'`);
  const d = x.shape[2]!;
  return g.scope(name, () => {
    const Wx = g.param(
      `${name}.Wx`,
      [d, hidden],
      (opts.init ?? xavierUniform)(fansOf([d, hidden])),
    );
    const Wh = g.param(
      `${name}.Wh`,
      [hidden, hidden],
      (opts.recurrentInit ?? xavierUniform)(fansOf([hidden, hidden])),
    );
    const b = g.param(`${name}.b`, [hidden], zeros(fansOf([hidden])));
    const act = opts.activation === 'relu' ? B.relu : B.tanh;
    const states: Node[] = [];
    xs.forEach((xt, i) => {
      let z = xt.matmul(Wx);
      if (i > 0) z = z.add(states[i - 1]!.matmul(Wh));
      states.push(act(z.add(b).named(`${name}.z${i + 1}`)).named(`${name}.h${i + 1}`));
    });
    return { states, last: states[states.length - 1]! };
  });
}

/**
 * LSTM: [i f g o] = xₜ·Wx + hₜ₋₁·Wh + b (four gates side by side, [B, 4H]);
 * cₜ = σ(f) ⊙ cₜ₋₁ + σ(i) ⊙ tanh(g), hₜ = σ(o) ⊙ tanh(cₜ), h₀ = c₀ = 0. The forget gate's bias
 * starts at 1 (or at the chrono values for a `timeScale`), so the cell keeps some memory at init.
 * Params `${name}.Wx` [D, 4H], `${name}.Wh` [H, 4H], `${name}.b` [4H].
 */
export function lstm(x: Node, hidden: number, opts: LstmOptions = {}): Unrolled {
  const g = x.graph;
  const name = layerName(g, 'lstm', opts.name);
  const xs = timeSteps(x, `lstm '${name}'`);
  const d = x.shape[2]!;
  const h4 = 4 * hidden;
  return g.scope(name, () => {
    const Wx = g.param(`${name}.Wx`, [d, h4], (opts.init ?? xavierUniform)(fansOf([d, h4])));
    const Wh = g.param(
      `${name}.Wh`,
      [hidden, h4],
      (opts.recurrentInit ?? xavierUniform)(fansOf([hidden, h4])),
    );
    const b = g.param(`${name}.b`, [h4], values(lstmBias(hidden, opts.timeScale)));
    const gate = (z: Node, k: number) =>
      B.slice(z, [
        [0, z.shape[0]!],
        [k * hidden, (k + 1) * hidden],
      ]);
    const states: Node[] = [];
    let c: Node | null = null;
    xs.forEach((xt, i) => {
      let z = xt.matmul(Wx);
      if (i > 0) z = z.add(states[i - 1]!.matmul(Wh));
      z = z.add(b).named(`${name}.z${i + 1}`);
      const [ig, fg, gg, og] = [0, 1, 2, 3].map((k) => gate(z, k)) as [Node, Node, Node, Node];
      const write = B.sigmoid(ig).mul(B.tanh(gg));
      c = (c === null ? write : B.sigmoid(fg).mul(c).add(write)).named(`${name}.c${i + 1}`);
      states.push(
        B.sigmoid(og)
          .mul(B.tanh(c))
          .named(`${name}.h${i + 1}`),
      );
    });
    return { states, last: states[states.length - 1]! };
  });
}
