// Each kernel kind lives in few places (issue #11: a new kind lands in ≤ 4 files). For every kind
// in the registry, list the files under src/ and codegen/ whose code names it — as a `kind` tag,
// as its kernel type, or as `KernelOf<'…'>` — and fail when more than 4 do.
//
// Not counted, by design (each is pinned by its own assertion below):
// - src/schedule/kinds/index.ts, the registry: TypeScript has no import-time registration (and
//   STYLE.md forbids it), so the one list of kinds names each kind once.
// - Entries of kind tables (`{ map: …, scan: … }` typed over the kinds): the line per kind that
//   tsc demands of each renderer. The files holding such tables are pinned.
// - codegen/wasm, the optional CPU accelerator: its table is partial, a kind without wasm code
//   runs its TypeScript kernel. Kinds outside its table must appear nowhere in it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WASM_KINDS } from '../../codegen/wasm/module.ts';
import { KINDS } from '../../src/schedule/kinds/index.ts';
import type { KindTable } from '../../src/schedule/kinds/index.ts';

const KIND_NAMES = Object.keys(KINDS);
const REGISTRY = 'src/schedule/kinds/index.ts';
const WASM = 'codegen/wasm/';
const LIMIT = 4;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const nameOf = (n: ts.PropertyName | undefined) =>
  n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : undefined;

/** `kind`, `x.kind`: an expression that reads a kind tag. */
const readsKind = (e: ts.Node) =>
  (ts.isIdentifier(e) && e.text === 'kind') ||
  (ts.isPropertyAccessExpression(e) && e.name.text === 'kind');

/** Is this string literal a kind tag: `kind: 'scan'`, `k.kind === 'scan'`, `case 'scan':`? */
function inKindPosition(lit: ts.StringLiteral): boolean {
  const p = lit.parent;
  if (ts.isLiteralTypeNode(p)) {
    let q: ts.Node = p.parent;
    while (ts.isUnionTypeNode(q) || ts.isParenthesizedTypeNode(q)) q = q.parent;
    if (ts.isPropertySignature(q)) return nameOf(q.name) === 'kind';
    return ts.isTypeReferenceNode(q) && q.typeName.getText() === 'KernelOf';
  }
  if (ts.isPropertyAssignment(p)) return nameOf(p.name) === 'kind' && p.initializer === lit;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    const eq =
      op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    return eq && readsKind(p.left === lit ? p.right : p.left);
  }
  if (ts.isCaseClause(p)) return readsKind(p.parent.parent.expression);
  return false;
}

/** An object literal whose keys are all kind names (two or more): a table over the kinds. */
function isKindTable(n: ts.Node): n is ts.ObjectLiteralExpression {
  if (!ts.isObjectLiteralExpression(n) || n.properties.length < 2) return false;
  return n.properties.every((p) => KIND_NAMES.includes(nameOf(p.name) ?? ''));
}

interface Scan {
  /** Kind → files naming it (outside kind tables). */
  readonly named: Map<string, Set<string>>;
  /** Files holding a table over the kinds. */
  readonly tables: Set<string>;
}

function scan(): Scan {
  const named = new Map(KIND_NAMES.map((k) => [k, new Set<string>()]));
  const tables = new Set<string>();
  const typeNames = new Map(
    KIND_NAMES.map((k) => [`${k[0]!.toUpperCase()}${k.slice(1)}Kernel`, k]),
  );
  for (const f of [...files('src'), ...files('codegen')]) {
    const text = readFileSync(f, 'utf8');
    const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
    const stack: ts.Node[] = [sf];
    while (stack.length) {
      const n = stack.pop()!;
      if (ts.isStringLiteral(n) && named.has(n.text) && inKindPosition(n)) {
        named.get(n.text)!.add(f);
      }
      if (ts.isIdentifier(n) && typeNames.has(n.text)) named.get(typeNames.get(n.text)!)!.add(f);
      if (isKindTable(n)) {
        tables.add(f);
        // The entries' keys are table lines; their values are still scanned.
        for (const p of n.properties) {
          if (ts.isPropertyAssignment(p)) stack.push(p.initializer);
          else if (ts.isMethodDeclaration(p) && p.body) stack.push(p.body);
        }
        continue;
      }
      n.forEachChild((c) => void stack.push(c));
    }
  }
  return { named, tables };
}

const placesOf = (s: Scan, kind: string) =>
  [...s.named.get(kind)!].filter((f) => f !== REGISTRY && !f.startsWith(WASM)).sort();

const wasmOf = (s: Scan, kind: string) =>
  [...s.named.get(kind)!].filter((f) => f.startsWith(WASM)).sort();

describe('kernel kinds', () => {
  const s = scan();

  it('finds every kind in its own file and in the TS renderer', () => {
    expect(KIND_NAMES).toEqual(['map', 'reduce', 'scan', 'matmul', 'scatter']);
    for (const k of KIND_NAMES) {
      const places = placesOf(s, k);
      expect(places).toContain(`src/schedule/kinds/${k}.ts`);
      expect(places).toContain('codegen/ts/kernels.ts');
    }
  });

  it(`keeps each kind's knowledge in at most ${LIMIT} files`, () => {
    const over = KIND_NAMES.map((k) => [k, placesOf(s, k)] as const).filter(
      ([, f]) => f.length > LIMIT,
    );
    expect(over).toEqual([]);
  });

  it('places scan in its op entry, its kind file and the TS and WGSL renderers', () => {
    expect(placesOf(s, 'scan')).toEqual([
      'codegen/ts/kernels.ts',
      'codegen/wgsl/kernels.ts',
      'src/ops/reduce.ts',
      'src/schedule/kinds/scan.ts',
    ]);
  });

  it('keeps tables over the kinds to the registry and one per renderer', () => {
    expect([...s.tables].sort()).toEqual([
      'codegen/ts/kernels.ts',
      'codegen/wasm/module.ts',
      'codegen/wgsl/kernels.ts',
      REGISTRY,
    ]);
  });

  it('names in codegen/wasm exactly the kinds its table lists', () => {
    const listed = KIND_NAMES.filter((k) => k in WASM_KINDS);
    expect(listed.length).toBeGreaterThan(0);
    for (const k of KIND_NAMES) {
      if (listed.includes(k)) expect(wasmOf(s, k).length, k).toBeGreaterThan(0);
      else expect(wasmOf(s, k), k).toEqual([]);
    }
  });

  it('makes a renderer table that lacks a kind a type error (tsc checks the directive)', () => {
    // @ts-expect-error: 'scan' is missing, so this table does not type-check.
    const lacking: KindTable<[], string> = {
      map: (k) => k.kind,
      reduce: (k) => k.kind,
      matmul: (k) => k.kind,
      scatter: (k) => k.kind,
    };
    const full: KindTable<[], string> = { ...lacking, scan: (k) => `${k.kind} along ${k.axis}` };
    expect(Object.keys(full).sort()).toEqual([...KIND_NAMES].sort());
  });
});
