#!/usr/bin/env node
// The gradc launcher. An installed package runs the built JavaScript (dist/, from `npm run
// build`). A source checkout (src/ beside bin/, as in this repository) runs the TypeScript
// sources under tsx instead, so that the CLI and the repository's example models, which import
// src/, share one copy of gradc (GRADC_DIST=1 runs dist/ there too).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && process.env.GRADC_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { runCli } = await import(source.href);
  await runCli();
} else {
  const { runCli } = await import('../dist/src/cli/main.js');
  await runCli();
}
