// The facts a benchmark report needs beside its figures: library versions, Node, the WebGPU
// adapter, the date, and the machine (cores, CPU model, load average before and after the run).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { gradcVersion } from './gradc.ts';
import { adapterDescription, ensureWebGPU } from './peers/webgpu.ts';

export interface Environment {
  date: string;
  node: string;
  versions: Record<string, string>;
  webgpu: string;
  cores: number;
  cpu: string;
  loadBefore: number[];
  loadAfter?: number[];
}

/** Version from a package's package.json, found beside its resolved entry (exports may hide it). */
function pkgVersion(name: string): string {
  const req = createRequire(import.meta.url);
  let dir = dirname(req.resolve(name));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // not here: go up
    }
  }
  return 'unknown';
}

export async function environment(): Promise<Environment> {
  const reason = await ensureWebGPU();
  return {
    date: new Date().toISOString(),
    node: process.version,
    versions: {
      gradc: gradcVersion,
      '@tensorflow/tfjs-core': pkgVersion('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-backend-webgpu': pkgVersion('@tensorflow/tfjs-backend-webgpu'),
      '@jax-js/jax': pkgVersion('@jax-js/jax'),
      webgpu: pkgVersion('webgpu'),
    },
    webgpu: reason ?? (await adapterDescription()),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    loadBefore: loadavg(),
  };
}
