// gradc's version, from its package.json: two levels above src/cli in a checkout, three above
// dist/src/cli in the built package.
import { existsSync, readFileSync } from 'node:fs';

let cached: string | undefined;

export function gradcVersion(): string {
  if (cached) return cached;
  for (const rel of ['../../package.json', '../../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'gradc' && pkg.version) return (cached = pkg.version);
  }
  return (cached = 'unknown');
}
