// Formatting generated sources with prettier, so emitted code reads like hand-written code.
// Prettier loads on the first format (files that `gradc compile` writes), through a variable
// specifier so that bundlers leave it out of browser bundles: in-process compiles never format.
/** The part of prettier's API used here. */
export interface Prettier {
  format(text: string, options: Readonly<Record<string, unknown>>): Promise<string>;
}

const PRETTIER = 'prettier';
let prettier: Promise<Prettier> | undefined;

/**
 * Format with this prettier instead of importing the package: the CLI passes the same printer
 * loaded from a V8 code cache (src/cli/tsload.ts), ~0.1 s less of a first compile.
 */
export function usePrettier(p: Prettier): void {
  prettier = Promise.resolve(p);
}

export async function formatTs(text: string): Promise<string> {
  prettier ??= import(/* @vite-ignore */ PRETTIER) as Promise<Prettier>;
  return (await prettier).format(text, {
    parser: 'typescript',
    printWidth: 100,
    singleQuote: true,
  });
}

/**
 * Characters of one module prettier formats. Prettier costs ~10–20 ms of CPU per KB of generated
 * code here, so past this budget the remaining pieces keep the code writer's layout: compile time
 * stays linear and bounded per node (≤ ~10 s of formatting), and the modules people read
 * (examples, goldens) are far below it and fully formatted.
 */
export const FORMAT_BUDGET = 500_000;

/** Format `chunks` (top-level pieces, in order) until the budget is spent; the rest as written. */
export async function formatWithin(
  chunks: readonly string[],
  budget = FORMAT_BUDGET,
): Promise<{ readonly chunks: string[]; readonly skipped: number }> {
  let spent = 0;
  let skipped = 0;
  const out = await Promise.all(
    chunks.map((c) => {
      spent += c.length;
      if (spent <= budget) return formatTs(c);
      skipped++;
      return c;
    }),
  );
  return { chunks: out, skipped };
}
