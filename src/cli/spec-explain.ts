// The spec of `gradc explain` (kept apart from its implementation, as specs.ts does for the others).
import type { CommandSpec } from './args.ts';
import { MODEL_FLAGS } from './flags.ts';

export const explainSpec: CommandSpec = {
  name: 'explain',
  summary: 'print the derived backward pass as math: forward, δ per layer, gradients, update',
  positionals: ['<model.ts>'],
  flags: {
    format: {
      type: 'string',
      values: ['text', 'md', 'html'],
      default: 'text',
      arg: 'text|md|html',
      help: 'Unicode text (default), Markdown with LaTeX, or an HTML page typeset by KaTeX',
    },
    out: { type: 'string', arg: 'FILE', help: 'write to FILE instead of stdout' },
    generated: {
      type: 'string',
      arg: 'FILE',
      help: 'the generated module the Markdown kernel links point to (default gen/<graph>.ts)',
    },
    ...MODEL_FLAGS,
    mode: {
      type: 'string',
      values: ['infer', 'train'],
      default: 'train',
      arg: 'infer|train',
      help: 'which graph the model builds (default train: the update rule is shown too)',
    },
  },
};
