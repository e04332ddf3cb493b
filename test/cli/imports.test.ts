// The CLI uses gradc like any other program: outside src/cli it imports only the public entry
// points (src/index.ts, gradc/nn, gradc/node) and the documented internal one (src/internal.ts),
// plus Node built-ins and packages. A new deep import into the compiler fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = 'src/cli';
const ALLOWED = [
  'src/index.ts',
  'src/internal.ts',
  'src/nn/index.ts',
  'src/node/index.ts',
  // GraphError (public, re-exported by src/index.ts) from its own small module, so that the
  // error reporter main loads at start-up does not load the whole library for --help.
  'src/ir/errors.ts',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier of static imports, re-exports and dynamic imports in `text`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm,
  )) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

describe('src/cli imports', () => {
  const list = files(CLI);

  it('finds the CLI sources and their imports', () => {
    expect(list.length).toBeGreaterThan(10);
    expect(list.flatMap((f) => specifiers(readFileSync(f, 'utf8'))).length).toBeGreaterThan(50);
  });

  it('reach outside src/cli only through the public and documented internal entry points', () => {
    const bad: string[] = [];
    for (const f of list) {
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue; // node: built-ins and packages
        const target = relative('.', resolve(dirname(f), spec))
          .split('\\')
          .join('/');
        if (target.startsWith(`${CLI}/`) || ALLOWED.includes(target)) continue;
        bad.push(`${f} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('would catch a deep import', () => {
    const text =
      "import { toProgram } from '../pipeline.ts';\nconst m = await import('../ir/graph.ts');";
    expect(specifiers(text)).toEqual(['../pipeline.ts', '../ir/graph.ts']);
  });
});
