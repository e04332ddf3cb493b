// Uses the module gradc generated at build time (generated/spam_score.ts): no gradc at runtime,
// just plain TypeScript with typed inputs, params and outputs.
import { createWorkspace, run, shapes } from './generated/spam_score.ts';
import type { Params } from './generated/spam_score.ts';

const params: Params = { w: new Float32Array([1.5, -2]), b: new Float32Array([0.25]) };
const x = new Float32Array([2, 0, 0, 2, 1, 1]); // [links, known sender] per message
const { p } = run({ x }, params, createWorkspace());
const rows = shapes.outputs.p[0];
for (let i = 0; i < rows; i++) console.log(`message ${i}: spam probability ${p[i]!.toFixed(3)}`);
