// Compile time of the G1 GPT training step (issue #17: "< 3 s"): 4 blocks, d_model 64, 4 heads,
// context 64, batch 16, char vocabulary, AdamW with clipping, built with the nn layers as
// examples/gpt does. `tsx bench/compile-g1.ts [--wgsl] [--json]` prints the wall and CPU time of
// each stage (build, grad, optimize, fuse, lower, plan, render, load; format for written files),
// then the figure that counts: one in-process compile() end to end, in a fresh process state.
import { performance } from 'node:perf_hooks';
import { charVocab, loadCorpus } from '../examples/gpt/data.ts';
import { lmLoss } from '../examples/gpt/model.ts';
import { importJs } from '../codegen/ts/js.ts';
import { compile } from '../src/compile.ts';
import { Graph, nn } from '../src/index.ts';
import type { Node } from '../src/index.ts';
import { entryOf, toProgram } from '../src/pipeline.ts';
import type { Program } from '../src/schedule/kernel.ts';

export const G1 = { layers: 4, dModel: 64, heads: 4, context: 64, batch: 16 } as const;

/** Wall and CPU milliseconds of one stage. */
export interface StageTime {
  readonly stage: string;
  readonly ms: number;
  readonly cpuMs: number;
}

function timer() {
  const stages: StageTime[] = [];
  const start = () => [performance.now(), process.cpuUsage()] as const;
  const done = (stage: string, [t0, c0]: ReturnType<typeof start>) => {
    const c = process.cpuUsage(c0);
    stages.push({ stage, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
  };
  const time = async <T>(stage: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = start();
    const out = await fn();
    done(stage, t);
    return out;
  };
  /** For toProgram's stage hook (its stages are synchronous). */
  const timeSync = <T>(stage: string, fn: () => T): T => {
    const t = start();
    const out = fn();
    done(stage, t);
    return out;
  };
  return { stages, time, timeSync };
}

/** The G1 forward graph and its loss (what nn.trainStep builds before differentiating). */
function g1Forward(vocab: number): { g: Graph; loss: Node } {
  const cfg = { ...G1, vocab, seq: G1.context };
  const g = new Graph('gpt_g1');
  const x = g.input('x', [cfg.batch, cfg.seq], 'i32');
  const y = g.input('y', [cfg.batch, cfg.seq], 'i32');
  const pred = nn.gpt(x, cfg).named('pred');
  const loss = lmLoss(pred, y);
  g.output('loss', loss);
  g.output('pred', pred);
  return { g, loss };
}

/** The G1 training step as nn.trainStep builds it: forward, gradient, clipped AdamW. */
export function g1Graph(vocab: number): Graph {
  const { g, loss } = g1Forward(vocab);
  const m = nn.minimize(g, loss, { optimizer: nn.adamw({ weightDecay: 0.01 }), clipNorm: 1 });
  if (m.gradNorm) g.output('grad_norm', m.gradNorm);
  return g;
}

export interface G1Result {
  readonly vocab: number;
  readonly nodes: number;
  readonly kernels: number;
  /** One compile() of the step (TS, in process: unformatted, transpiled, imported). */
  readonly compileMs: number;
  readonly compileCpuMs: number;
  readonly stages: readonly StageTime[];
  readonly wgsl?: readonly StageTime[] | string;
}

export async function benchG1(opts: { readonly wgsl?: boolean } = {}): Promise<G1Result> {
  const vocab = charVocab(loadCorpus()).chars.length;
  // The headline first, before this process has rendered anything else (renderers load on use).
  const t0 = [performance.now(), process.cpuUsage()] as const;
  const exe = await compile(g1Graph(vocab), { target: 'ts' });
  const c = process.cpuUsage(t0[1]);
  const compileMs = performance.now() - t0[0];
  exe.dispose();

  const { stages, time, timeSync } = timer();
  const { g, loss } = await time('build', () => g1Forward(vocab));
  await time('grad', () => {
    const m = nn.minimize(g, loss, { optimizer: nn.adamw({ weightDecay: 0.01 }), clipNorm: 1 });
    if (m.gradNorm) g.output('grad_norm', m.gradNorm);
  });
  const program = toProgram(g, { stage: timeSync });
  const entry = entryOf(g);
  const { renderTs } = await import('../codegen/ts/emit.ts');
  // As compile() does: the module as JavaScript, unformatted, imported from its text.
  const js = await time('render', () =>
    renderTs(program, { name: g.name, entry, format: false, lang: 'js' }),
  );
  await time('load', () => importJs(js.source));
  // What `gradc compile` writes: TypeScript, prettier-formatted within its budget.
  await time('format', () => renderTs(program, { name: g.name, entry, format: true }));
  const result = {
    vocab,
    nodes: g.nodes.length,
    kernels: program.stats.kernels,
    compileMs,
    compileCpuMs: (c.user + c.system) / 1000,
    stages,
  };
  if (!opts.wgsl) return result;
  return { ...result, wgsl: await wgslStages(g, program, entry) };
}

/**
 * WGSL: render (shaders and host), then where a WebGPU adapter exists one compile() end to end
 * (emit for the device's limits, import the host, create pipelines and bind groups).
 */
async function wgslStages(
  g: Graph,
  program: Program,
  entry: 'step' | 'run',
): Promise<readonly StageTime[] | string> {
  const { stages, time } = timer();
  const { renderWgsl } = await import('../codegen/wgsl/emit.ts');
  await time('render', () => renderWgsl(program, { name: g.name, entry, format: false }));
  const { hasAdapter } = await import('../src/runtime/webgpu.ts');
  if (!(await hasAdapter())) return 'no WebGPU adapter';
  const exe = await time('compile()', () => compile(g, { target: 'wgsl' }));
  exe.dispose();
  return stages;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchG1({ wgsl: process.argv.includes('--wgsl') });
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1));
    console.log(`G1 step: vocab ${r.vocab}, ${r.nodes} nodes, ${r.kernels} kernels`);
    console.log(`load average ${load.join(' ')}`);
    console.log(
      `compile() TS in process: ${r.compileMs.toFixed(0)} ms wall, ${r.compileCpuMs.toFixed(0)} ms CPU`,
    );
    for (const s of r.stages) {
      console.log(
        `  ${s.stage.padEnd(9)} ${s.ms.toFixed(0).padStart(6)} ms  cpu ${s.cpuMs.toFixed(0)}`,
      );
    }
    if (typeof r.wgsl === 'string') console.log(`WGSL: ${r.wgsl}`);
    else for (const s of r.wgsl ?? []) console.log(`  wgsl ${s.stage} ${s.ms.toFixed(0)} ms`);
  }
  process.exit(0);
}
