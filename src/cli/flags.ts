// Flags shared by the commands that build a model's graph.
import type { FlagSpec } from './args.ts';

export const MODEL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  mode: {
    type: 'string',
    values: ['infer', 'train'],
    default: 'infer',
    arg: 'infer|train',
    help: 'which graph the model builds (default infer)',
  },
  batch: { type: 'number', arg: 'N', help: 'batch size passed to the model (default: its own)' },
};
