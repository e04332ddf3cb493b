// Formatting generated sources with prettier, so emitted code reads like hand-written code.
// Prettier loads on the first format (files that `gradc compile` writes), through a variable
// specifier so that bundlers leave it out of browser bundles: in-process compiles never format.
type Prettier = typeof import('prettier');

const PRETTIER = 'prettier';
let prettier: Promise<Prettier> | undefined;

export async function formatTs(text: string): Promise<string> {
  prettier ??= import(/* @vite-ignore */ PRETTIER) as Promise<Prettier>;
  return (await prettier).format(text, {
    parser: 'typescript',
    printWidth: 100,
    singleQuote: true,
  });
}
