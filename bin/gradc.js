#!/usr/bin/env node
// The gradc launcher: registers tsx in this process (so the CLI and users' model files run as
// plain TypeScript, no build step), then runs src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli();
