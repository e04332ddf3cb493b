// Batched matrix multiply [..., M, K] · [..., K, N]; its VJP is two matmuls with transposed views.
import * as B from '../builder/ops.ts';
import type { OpDef } from './def.ts';

export const matmul: OpDef<'matmul'> = {
  arity: 2,
  infer: ([a, b]) => {
    if (a!.rank < 2 || a!.rank !== b!.rank) return 'operands must have the same rank ≥ 2';
    const r = a!.rank;
    if (a!.shape.slice(0, -2).some((d, i) => d !== b!.shape[i])) return 'batch dimensions differ';
    if (a!.shape[r - 1] !== b!.shape[r - 2]) {
      return `inner dimensions differ (${a!.shape[r - 1]} vs ${b!.shape[r - 2]})`;
    }
    if (a!.dtype !== 'f32' || b!.dtype !== 'f32') return `dtype ${a!.dtype}·${b!.dtype}: needs f32`;
    return { shape: [...a!.shape.slice(0, -1), b!.shape[r - 1]!], dtype: 'f32' };
  },
  eval: ([a, b], _attrs, node) => {
    const [x, y] = node.inputs;
    const r = x!.rank;
    const [m, k, n] = [x!.shape[r - 2]!, x!.shape[r - 1]!, y!.shape[r - 1]!];
    const batch = node.size / (m * n);
    const out = new Float64Array(node.size);
    for (let bi = 0; bi < batch; bi++) {
      const [ao, bo, oo] = [bi * m * k, bi * k * n, bi * m * n];
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const av = a![ao + i * k + p]!;
          for (let j = 0; j < n; j++) out[oo + i * n + j] += av * b![bo + p * n + j]!;
        }
      }
    }
    return out;
  },
  vjp: [
    { rule: (g, _y, [, b]) => B.matmul(g, B.transpose(b!)), step: '∂L/∂{0} = ∂L/∂{out} · {1}ᵀ' },
    { rule: (g, _y, [a]) => B.matmul(B.transpose(a!), g), step: '∂L/∂{1} = {0}ᵀ · ∂L/∂{out}' },
  ],
  lower: { kind: 'matmul' },
};
