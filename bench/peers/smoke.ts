// Runs every peer on every workload and prints one line per result. Quick sizes unless --full.
// Usage: npx tsx bench/peers/smoke.ts [--full] [peer-name-substring...]
import { heMlpParams, loadMnist, matmulInput, seedMlpParams } from '../data.ts';
import { allPeers, benchConfig } from './index.ts';
import type { Peer } from './types.ts';

const args = process.argv.slice(2);
const cfg = benchConfig(!args.includes('--full'));
const only = args.filter((a) => !a.startsWith('--'));

const data = loadMnist();
const w1Init = seedMlpParams();
const w2Init = heMlpParams();
const mm = matmulInput(cfg.w3.n);
const f = (x: number, d = 1) => x.toFixed(d);

async function run(peer: Peer): Promise<void> {
  const reason = await peer.setup();
  if (reason !== undefined) {
    console.log(`${peer.name}: ${reason}`);
    return;
  }
  console.log(`${peer.name} ${peer.version} (${peer.notes()})`);
  const w1 = await peer.w1?.(data, w1Init, cfg.w1);
  if (w1) {
    const epochs = w1.epochSeconds.map((s) => f(s, 2)).join('/');
    console.log(
      `  W1 ${f(w1.samplesPerSec, 0)} samples/s, acc ${f(w1.accuracy * 100, 2)}% (epochs ${epochs} s)`,
    );
  }
  const w2 = await peer.w2?.(data, w2Init, cfg.w2);
  if (w2)
    console.log(
      `  W2 ${f(w2.msPerStep, 2)} ms/step, loss after ${w2.steps} steps ${f(w2.finalLoss, 4)}`,
    );
  const w3 = await peer.w3?.(mm, cfg.w3);
  if (w3) {
    const chk = `${w3.check.ok ? 'ok' : 'FAIL'} relerr ${w3.check.maxRelErr.toExponential(1)}`;
    console.log(`  W3 n=${cfg.w3.n} ${f(w3.ms, 1)} ms, ${f(w3.gflops, 2)} GFLOP/s, check ${chk}`);
  }
  await peer.dispose();
}

console.log(`peers smoke (${cfg.quick ? 'quick' : 'full'} sizes)`);
let failed = false;
for (const peer of allPeers()) {
  if (only.length && !only.some((o) => peer.name.includes(o))) continue;
  try {
    await run(peer);
  } catch (e) {
    failed = true;
    console.log(`${peer.name}: ERROR ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}
process.exit(failed ? 1 : 0); // Dawn keeps the event loop alive; exit explicitly
