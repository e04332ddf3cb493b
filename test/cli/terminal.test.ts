// Names are user text, and the CLI prints them: an ESC sequence or a bidi override in a graph name
// must be shown on the terminal, not obeyed (it could recolour, move the cursor or reorder text).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { terminalText } from '../../src/cli/main.ts';
import { gradc, ROOT, tempDir } from './run.ts';

test('terminalText shows controls as \\u{…} and keeps line breaks, tabs and \\r', () => {
  expect(terminalText('a\u001b[31mb\u202Ec\u009B\u0000')).toBe(
    'a\\u{001b}[31mb\\u{202e}c\\u{009b}\\u{0000}',
  );
  expect(terminalText('line\n\tnext\r100%')).toBe('line\n\tnext\r100%');
});

test('gradc compile prints a hostile graph name escaped', async () => {
  const dir = tempDir();
  const file = join(dir, 'esc.mts');
  writeFileSync(
    file,
    [
      `import { Graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};`,
      "const g = new Graph('a\\u001b[31mred\\u202Eb');",
      "g.output('y', g.input('x', [2]).mul(2));",
      'export default g;',
    ].join('\n'),
  );
  const r = await gradc(['compile', file, '--out', join(dir, 'out'), '--no-typecheck']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("compiled graph 'a\\u{001b}[31mred\\u{202e}b'");
  expect(r.stdout).not.toMatch(/[\u001b\u202e]/);
});
