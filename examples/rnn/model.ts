// A long-range sequence task and the two recurrent nets that learn it by backpropagation through
// time: remember the first of T random symbols (one-hot) and name it after the last step. The
// Elman RNN and the LSTM are unrolled over T steps into one static graph; the training step also
// outputs ‖∂L/∂hₜ‖ for every step t (the gradient reaching it), computed inside the same step.
import type { Graph, Node } from '../../src/index.ts';
import { mulberry32, normal } from '../../src/ir/init.ts';
import { nn } from '../../src/node/index.ts';

export type Cell = 'rnn' | 'lstm';

export interface SeqConfig {
  readonly cell: Cell;
  /** Sequence length T. */
  readonly steps: number;
  /** Alphabet size K (the input is one-hot, so also the input width; chance is 1/K). */
  readonly symbols: number;
  readonly hidden: number;
  readonly batch: number;
  /**
   * Recurrent weights N(0, gain²/H) when given (gain > 1: the chaotic regime where gradients
   * explode backwards through time); Xavier-uniform otherwise.
   */
  readonly gain?: number;
  /** The LSTM's chrono gate biases for dependencies this long (see nn.lstm); none by default. */
  readonly timeScale?: number;
  /** Global-norm clipping of the gradients (adds a `grad_norm` output). */
  readonly clipNorm?: number;
  /** Adam by default; plain SGD shows what clipping does to an exploding step. */
  readonly optimizer?: 'adam' | 'sgd';
}

/** A batch of the task: x [B, T, K] one-hot symbols, y [B] the first symbol of each sequence. */
export interface SeqBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** Draw a batch from `rand` (seeded: the same seed gives the same data on every run). */
export function firstSymbolBatch(
  rand: () => number,
  batch: number,
  steps: number,
  symbols: number,
): SeqBatch {
  const x = new Float32Array(batch * steps * symbols);
  const y = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const s = Math.min(symbols - 1, Math.floor(rand() * symbols));
      x[(b * steps + t) * symbols + s] = 1;
      if (t === 0) y[b] = s;
    }
  }
  return { x, y };
}

export const seqRandom = (seed: number): (() => number) => mulberry32(seed);

/** The recurrent layer of a config; its states are h₁ … h_T. */
function recurrent(x: Node, c: SeqConfig): nn.Unrolled {
  const recurrentInit =
    c.gain === undefined ? undefined : () => normal(c.gain! / Math.sqrt(c.hidden));
  return c.cell === 'lstm'
    ? nn.lstm(x, c.hidden, { name: 'lstm', recurrentInit, timeScale: c.timeScale })
    : nn.elmanRnn(x, c.hidden, { name: 'rnn', recurrentInit });
}

function spec(c: SeqConfig, batch: number, states: Node[]) {
  return {
    name: `first_symbol_${c.cell}`,
    input: { shape: [batch, c.steps, c.symbols] },
    target: { shape: [batch], dtype: 'i32' as const },
    build: (x: Node) => {
      const r = recurrent(x, c);
      states.push(...r.states);
      return nn.dense(r.last, c.symbols, { name: 'out' });
    },
    loss: nn.sparseCrossEntropy,
    optimizer: c.optimizer === 'sgd' ? nn.sgd() : nn.adam(),
    clipNorm: c.clipNorm,
  };
}

/** The labels of the hidden states, h₁ … h_T (the names of the per-step gradient norms). */
export const stateNames = (c: SeqConfig): string[] =>
  Array.from({ length: c.steps }, (_, t) => `${c.cell}.h${t + 1}`);

/** The training step: outputs loss, pred, and `grad_norm.<cell>.h<t>` = ‖∂L/∂hₜ‖ for every t. */
export function seqTrainStep(c: SeqConfig): Graph {
  const states: Node[] = [];
  const g = nn.trainStep(spec(c, c.batch, states));
  nn.addNodeGradNormOutputs(g, g.outputs.get('loss')!, states);
  return g;
}

/** The inference graph (same param names) for held-out accuracy. */
export function seqEvalStep(c: SeqConfig, batch: number): Graph {
  return nn.evalStep(spec(c, batch, []));
}
