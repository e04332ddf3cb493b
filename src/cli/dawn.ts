// Dawn (the `webgpu` package) prints its own warnings straight to the process's stderr from
// native code, e.g. "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced…".
// JavaScript cannot intercept those writes, so a WGSL command without --verbose runs the CLI in a
// child process whose stderr is filtered line by line; everything else passes through unchanged.
import { spawn } from 'node:child_process';

const FILTERED = 'GRADC_DAWN_FILTERED';

/** Dawn's own diagnostic lines (gradc's messages start with "gradc:"). */
export const isDawnWarning = (line: string): boolean => /^Warning: /.test(line);

/** True when `argv` runs WebGPU in this process and Dawn's warnings should be hidden. */
export function wantsFilter(argv: readonly string[], env = process.env): boolean {
  if (env[FILTERED] === '1' || argv.includes('--verbose')) return false;
  const i = argv.indexOf('--target');
  return argv.includes('--target=wgsl') || (i >= 0 && argv[i + 1] === 'wgsl');
}

/** Re-run this CLI with `argv` in a child with filtered stderr; resolves to its exit code. */
export function runFiltered(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: { ...process.env, [FILTERED]: '1' },
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (!isDawnWarning(line)) process.stderr.write(line + '\n');
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (pending && !isDawnWarning(pending)) process.stderr.write(pending);
      resolve(code ?? 1);
    });
  });
}
