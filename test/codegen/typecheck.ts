// Typecheck generated modules with the TypeScript compiler API (strict, in memory): the emitted
// text must be valid, strictly typed TypeScript whatever the graph and its names.
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  noUnusedLocals: true,
  noImplicitReturns: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

/** Diagnostics of each module (by file name), all checked in one program. */
export function typecheckModules(files: Readonly<Record<string, string>>): string[] {
  const host = ts.createCompilerHost(OPTIONS);
  const virtual = new Map(Object.entries(files).map(([n, src]) => [`/virtual/${n}.ts`, src]));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    const src = virtual.get(name);
    return src !== undefined
      ? ts.createSourceFile(name, src, lang, true)
      : getSourceFile(name, lang, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return `${d.file?.fileName ?? ''}:${where ? where.line + 1 : 0}: ${text}`;
  });
}
