// WGSL text as nested blocks: a string is a line, a nested array is a block indented one level
// deeper. Renderers build structure; indentation comes from the nesting, never from counting braces.

export type Code = string | readonly Code[];

/** The lines of `code`, each block indented two spaces deeper than its parent. */
export function lines(code: readonly Code[], depth = 0): string[] {
  const pad = '  '.repeat(depth);
  return code.flatMap((c) => (typeof c === 'string' ? [c ? pad + c : c] : lines(c, depth + 1)));
}

/** `head {`, the block, `}`. */
export const block = (head: string, body: readonly Code[]): Code[] => [`${head} {`, body, '}'];
