// gradc inspect's pictures: --kernels groups the optimized graph's nodes by fused kernel (DOT
// clusters, SVG frames), and the HTML page has a legend and pan/zoom; its text lists the same
// optimized graph the kernels come from. Structure, not pixels.
import { describe, expect, test } from 'vitest';
import { render } from '../../src/cli/cmd-inspect.ts';
import { graphView, toDot } from '../../src/explain/graph-view.ts';
import { toGraphPage, toSvg } from '../../src/explain/graph-svg.ts';
import { Graph } from '../../src/ir/graph.ts';
import { zeros } from '../../src/ir/init.ts';
import { printGraph } from '../../src/ir/print.ts';
import { kernelGroups, toProgram } from '../../src/pipeline.ts';
import { seedMlpStep } from '../codegen/models.ts';

const LEAVES = new Set(['input', 'param', 'tensor']);

describe('inspect pictures', () => {
  const g = seedMlpStep({ batch: 4, sizes: [6, 5, 3] }).g;
  const { graph, kernels } = kernelGroups(g);
  const view = graphView(graph, kernels);

  test('every computed node is in exactly one kernel, named as in the Program', () => {
    const program = toProgram(g);
    const names = program.steps.flatMap((s) => (s.kind === 'kernel' ? [s.kernel.name] : []));
    expect(kernels.map((k) => k.name).sort()).toEqual([...names].sort());
    const all = kernels.flatMap((k) => k.nodes);
    expect(new Set(all).size).toBe(all.length);
    expect(all.some((n) => LEAVES.has(n.op))).toBe(false);
    const inGraph = view.nodes.filter((n) => n.kind === 'op' || n.kind === 'grad');
    expect(inGraph.length).toBeGreaterThan(kernels.length); // some kernels fuse several ops
    for (const n of inGraph) expect(n.cluster).toBeTypeOf('number');
    for (const n of view.nodes.filter((n) => n.kind === 'input' || n.kind === 'param'))
      expect(n.cluster).toBeUndefined();
  });

  test('DOT: one dashed cluster per kernel holding its nodes', () => {
    const dot = toDot(view);
    const clusters = [
      ...dot.matchAll(
        /subgraph cluster_(\d+) \{\n\s+label="kernel ([^"]+)";.*\n\s+([^\n]+);\n\s+\}/g,
      ),
    ];
    expect(clusters.map((m) => m[2]).sort()).toEqual(kernels.map((k) => k.name).sort());
    for (const [, i, , members] of clusters) {
      const ids = members!.split('; ');
      const want = view.nodes.filter((n) => n.cluster === Number(i)).map((n) => n.id);
      expect(ids).toEqual(want);
    }
    expect(toDot(graphView(g))).not.toContain('subgraph');
  });

  test('SVG: a labelled frame per kernel around its boxes', () => {
    const svg = toSvg(view);
    const frames = [
      ...svg.matchAll(
        /<g class="kernel"><title>kernel ([^<]+)<\/title><rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/g,
      ),
    ];
    expect(frames.map((m) => m[1]).sort()).toEqual(kernels.map((k) => k.name).sort());
    for (const f of frames) expect(Number(f[4])).toBeGreaterThan(0);
    expect(toSvg(graphView(g))).not.toContain('class="kernel"');
  });

  test('HTML: legend (with the kernel frame when grouped), pan/zoom, escaped title', () => {
    const page = toGraphPage('graph <a&b>', toSvg(view), ['listing <x>'], true);
    expect(page).toContain('<title>graph &lt;a&amp;b&gt;</title>');
    const legend = /<ul class="legend">([\s\S]*?)<\/ul>/.exec(page)![1]!;
    for (const k of ['input', 'param', 'op', 'gradient', 'output', 'one fused kernel'])
      expect(legend).toContain(k);
    expect(toGraphPage('t', '<svg viewBox="0 0 1 1"></svg>', [])).not.toContain('one fused kernel');
    expect(page).toMatch(/<div id="picture">\n<svg /);
    const script = /<script>([\s\S]*)<\/script>/.exec(page)![1]!;
    for (const ev of ['wheel', 'pointerdown', 'pointermove', 'dblclick'])
      expect(script).toContain(`'${ev}'`);
    expect(script).toContain('viewBox.baseVal');
    expect(page).toContain('<pre>listing &lt;x&gt;</pre>');
    expect(() => new Function(script)).not.toThrow(); // the script parses
  });

  test('--kernels: the text lists the optimized graph the kernels come from', () => {
    const t = new Graph('t');
    const x = t.input('x', [2, 3]);
    const y = x.matmul(t.param('w', [3, 2], zeros));
    t.output('y', y.mul(1).add(0)); // ·1 and +0 are optimized away
    /** The listing without its `# file:line` sites (optimized leaves take the caller's line). */
    const bare = (text: string) => text.replace(/\s+#.*$/gm, '');
    const optimized = bare(printGraph(kernelGroups(t).graph));
    expect(printGraph(t)).toContain('= mul ');
    expect(optimized).not.toContain('= mul ');
    const pre = (page: string) => [...page.matchAll(/<pre>([^<]*)<\/pre>/g)].map((m) => m[1]!);
    const html = pre(render(t, 'html', true));
    expect(html).toHaveLength(2);
    expect(html[0]).not.toContain('= mul ');
    expect(html[0]).toContain('= matmul x w');
    expect(html[1]).toMatch(/kernel 0: /);
    expect(bare(render(t, 'text', true)).startsWith(optimized)).toBe(true);
    // Without --kernels the graph is shown as built.
    expect(pre(render(t, 'html', false))[0]).toContain('= mul ');
    expect(render(t, 'text', false)).toBe(printGraph(t));
  });
});
