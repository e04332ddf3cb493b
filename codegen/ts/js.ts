// Importing generated JavaScript module text without writing a file: a data: URL works in Node
// and in browsers. The TS renderer writes that JavaScript itself (lang 'js'), so running a graph
// in process needs no TypeScript compiler and no formatter.
export async function importJs<T>(js: string): Promise<T> {
  if (js.length >= LARGE_MODULE && isNode()) return importViaFile<T>(js);
  return (await import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(js)}`)) as T;
}

/**
 * From this size Node imports the module from a temporary file: Node keeps a data: URL (the whole
 * module, encoded) as the module's name in several places, which for a 100k-node graph's module
 * cost over a gigabyte of memory; a file's name is short.
 */
const LARGE_MODULE = 1 << 20;

const isNode = () =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string';

// Variable specifiers, so that bundlers leave Node's modules out of browser bundles of gradc.
const FS = 'node:fs/promises';
const OS = 'node:os';
const URL_MODULE = 'node:url';

interface NodeFs {
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  rm(path: string, opts: { recursive: boolean; force: boolean }): Promise<void>;
}

async function importViaFile<T>(js: string): Promise<T> {
  const fs = (await import(/* @vite-ignore */ FS)) as NodeFs;
  const { tmpdir } = (await import(/* @vite-ignore */ OS)) as { tmpdir(): string };
  const { pathToFileURL } = (await import(/* @vite-ignore */ URL_MODULE)) as {
    pathToFileURL(p: string): URL;
  };
  const dir = await fs.mkdtemp(`${tmpdir()}/gradc-module-`);
  try {
    const file = `${dir}/module.mjs`;
    await fs.writeFile(file, js);
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
  } finally {
    await fs.rm(dir, { recursive: true, force: true }); // compiled: the file is no longer read
  }
}
