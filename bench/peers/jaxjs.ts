// jax-js peers (wasm or webgpu device): setup and version here; the workloads, one jit-compiled
// step each, are in jaxjs-work.ts (Node-free, so the browser bench runs the same code).
import { defaultDevice, init } from '@jax-js/jax';
import type { Device } from '@jax-js/jax';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { jaxW1, jaxW2, jaxW3 } from './jaxjs-work.ts';
import type { Peer } from './types.ts';
import { adapterDescription, ensureWebGPU } from './webgpu.ts';

export type JaxDevice = Extract<Device, 'wasm' | 'webgpu'>;

// The package's "exports" hide package.json, so find it beside the resolved entry (dist/index.cjs).
const entry = createRequire(import.meta.url).resolve('@jax-js/jax');
const pkgJson = readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8');
const version = (JSON.parse(pkgJson) as { version: string }).version;

export function jaxPeer(device: JaxDevice): Peer {
  let notes = '';
  return {
    name: `jax-js-${device}`,
    version,
    notes: () => notes,

    async setup() {
      try {
        if (device === 'webgpu') {
          const reason = await ensureWebGPU(); // installs navigator.gpu before jax-js probes it
          if (reason) return reason;
        }
        const got = await init(device);
        if (!got.includes(device)) return `unavailable: jax-js init('${device}') returned [${got}]`;
        defaultDevice(device);
        notes =
          device === 'wasm'
            ? `threads=${typeof Worker === 'undefined' ? '1 (Node has no global Worker: no pool)' : 'pool'}`
            : `adapter: ${await adapterDescription()}`;
        return undefined;
      } catch (e) {
        return `unavailable: ${e instanceof Error ? e.message : String(e)}`;
      }
    },

    w1: jaxW1,
    w2: jaxW2,
    w3: jaxW3,
    async dispose() {},
  };
}
