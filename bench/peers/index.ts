// The list of peer implementations the benchmark compares gradc against, in run order.
import { jaxPeer } from './jaxjs.ts';
import { tfjsPeer } from './tfjs.ts';
import type { Peer } from './types.ts';

export type { Peer } from './types.ts';
export { benchConfig } from './types.ts';

export function allPeers(): Peer[] {
  return [
    tfjsPeer('cpu'),
    tfjsPeer('wasm'),
    tfjsPeer('webgpu'),
    jaxPeer('wasm'),
    jaxPeer('webgpu'),
  ];
}
