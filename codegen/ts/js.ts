// Importing generated JavaScript module text without writing a file: a data: URL works in Node
// and in browsers. The TS renderer writes that JavaScript itself (lang 'js'), so running a graph
// in process needs no TypeScript compiler and no formatter.
export async function importJs<T>(js: string): Promise<T> {
  return (await import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(js)}`)) as T;
}
