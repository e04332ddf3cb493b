// Formatting generated sources with prettier, so emitted code reads like hand-written code.
import * as prettier from 'prettier';

export async function formatTs(text: string): Promise<string> {
  return prettier.format(text, { parser: 'typescript', printWidth: 100, singleQuote: true });
}
