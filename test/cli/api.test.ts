// The CLI's programmatic side, in process (no spawns): compileToFiles, the kernel listing, the
// SVG/DOT views and atomic writes.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileToFiles } from '../../src/cli/api.ts';
import { graphView, toDot } from '../../src/explain/graph-view.ts';
import { toSvg } from '../../src/explain/graph-svg.ts';
import { writeFilesAtomic } from '../../src/cli/write.ts';
import { Graph, init } from '../../src/index.ts';
import { printProgram } from '../../src/schedule/print.ts';
import { toProgram } from '../../src/pipeline.ts';
import { tempDir } from './run.ts';

function affine(): Graph {
  const g = new Graph('affine relu');
  const x = g.input('x', [2, 3]);
  const w = g.param('w', [3, 4], init.normal(0.1));
  g.output('y', x.matmul(w).relu());
  return g;
}

describe('compileToFiles', () => {
  it('writes one module named after the graph and returns the program', async () => {
    const out = tempDir();
    const res = await compileToFiles(affine(), { out });
    expect(readdirSync(out)).toEqual(['affine_relu.ts']);
    expect(res.files).toEqual([join(out, 'affine_relu.ts')]);
    expect(res.entry).toBe('run');
    expect(res.program.stats.kernels).toBeGreaterThan(0);
    expect(readFileSync(res.files[0]!, 'utf8')).toContain('export function run(');
  });
});

describe('printProgram', () => {
  it('lists each kernel with kind, shape, ops and buffers, then the memory plan', () => {
    const text = printProgram(toProgram(affine()));
    expect(text).toMatch(/^program affine relu \{\nkernel 0: /);
    expect(text).toMatch(/ {2}kind {4}matmul \[2,3\]·\[3,4\]/);
    expect(text).toMatch(/ {2}ops {5}matmul → relu/);
    expect(text).toMatch(/ {2}reads {3}w, x/);
    expect(text).toMatch(/memory: 1 kernels, peak \d+ bytes/);
  });
});

describe('graph pictures', () => {
  it('DOT and SVG show every node and edge', () => {
    const view = graphView(affine());
    expect(view.nodes.map((n) => n.title)).toEqual(['x', 'w', '%0', '%1', 'output y']);
    const dot = toDot(view);
    expect(dot.match(/->/g)).toHaveLength(view.edges.length);
    const svg = toSvg(view);
    expect(svg.match(/<rect /g)).toHaveLength(view.nodes.length);
    expect(svg.match(/marker-end=/g)).toHaveLength(view.edges.length);
  });
});

describe('writeFilesAtomic', () => {
  it('replaces files in place and leaves no temporary directory', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'keep.txt'), 'user file\n');
    writeFileSync(join(out, 'm.ts'), 'old\n');
    await writeFilesAtomic(out, [{ path: 'm.ts', text: 'new\n' }]);
    expect(readdirSync(out).sort()).toEqual(['keep.txt', 'm.ts']);
    expect(readFileSync(join(out, 'm.ts'), 'utf8')).toBe('new\n');
  });

  it('on failure keeps the previous output', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'a.ts'), 'old a\n');
    mkdirSync(join(out, 'b.ts')); // a directory where a file should go: the rename fails
    writeFileSync(join(out, 'b.ts', 'x'), '');
    const files = [
      { path: 'b.ts', text: 'new b\n' },
      { path: 'a.ts', text: 'new a\n' },
    ];
    await expect(writeFilesAtomic(out, files)).rejects.toThrow(/cannot write to output directory/);
    expect(readFileSync(join(out, 'a.ts'), 'utf8')).toBe('old a\n');
    expect(readdirSync(out).sort()).toEqual(['a.ts', 'b.ts']);
  });
});
