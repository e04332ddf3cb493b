// numpy/OpenBLAS as a peer (/usr/bin/python3 with Debian's python3-numpy): W1 is the seed's own
// program (network.py vectorised over each mini-batch of 10, float64), W3 an f32 matmul. Setup
// installs python3-numpy with apt when it is missing and we are root; tests never need it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMatmul, mlpAccuracy } from '../data.ts';
import { epochRate, median } from './stats.ts';
import type { Peer } from './types.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('./numpy_peer.py', import.meta.url).pathname;

function numpyVersion(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import numpy; print(numpy.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function install(): void {
  if (process.getuid?.() !== 0) return;
  const apt = { stdio: 'ignore' as const, timeout: 300_000 };
  spawnSync('apt-get', ['update'], apt);
  // Debian's numpy links the reference BLAS unless an optimized one provides libblas.so.3:
  // libopenblas0-pthread registers itself through update-alternatives.
  const pkgs = ['python3-numpy', 'libopenblas0-pthread'];
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], apt);
}

/** Which library provides libblas.so.3 (Debian alternatives), e.g. "openblas-pthread" or "reference". */
function blasName(): string {
  try {
    const target = realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
    return target.includes('openblas') ? 'OpenBLAS' : 'reference BLAS (no OpenBLAS installed)';
  } catch {
    return 'unknown BLAS';
  }
}

const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** `threads`: OPENBLAS_NUM_THREADS (1 for the single-threaded figure, 2 for both cores). */
export function numpyPeer(threads: 1 | 2): Peer {
  let version = 'missing';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  const run = (dir: string, cfg: object) =>
    JSON.parse(
      execFileSync(PYTHON, [SCRIPT, dir, JSON.stringify(cfg)], { env, encoding: 'utf8' }),
    ) as {
      epochSeconds?: number[];
      seconds?: number[];
    };
  const withDir = async <T>(fn: (dir: string) => T): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-numpy-'));
    try {
      return fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    name: `numpy-${threads}t`,
    get version() {
      return version;
    },
    notes: () =>
      `numpy ${version} on ${blasName()}, OPENBLAS_NUM_THREADS=${threads}; W1 in float64`,
    async setup() {
      if (version === 'missing') {
        let v = numpyVersion();
        if (!v || !blasName().startsWith('OpenBLAS')) {
          install();
          v = numpyVersion();
        }
        if (!v) return `${PYTHON} with numpy is not available (apt-get install python3-numpy)`;
        version = v;
      }
      return undefined;
    },
    w1: (data, init, cfg) =>
      withDir((dir) => {
        writeFileSync(join(dir, 'x.f32'), data.train.x);
        writeFileSync(join(dir, 'y.f32'), data.train.y);
        init.w.forEach((w, l) => writeFileSync(join(dir, `w${l}.f32`), w));
        init.b.forEach((b, l) => writeFileSync(join(dir, `b${l}.f32`), b));
        const out = run(dir, { workload: 'W1', sizes: init.sizes, ...cfg });
        const trained = {
          sizes: init.sizes,
          w: init.w.map((_, l) => f32(join(dir, `w${l}.out.f32`)).slice()),
          b: init.b.map((_, l) => f32(join(dir, `b${l}.out.f32`)).slice()),
        };
        const epochSeconds = out.epochSeconds!;
        return {
          samplesPerSec: epochRate(cfg.trainCount, epochSeconds),
          epochSeconds,
          accuracy: mlpAccuracy(trained, data.test, 'sigmoid'),
        };
      }),
    w3: (input, cfg) =>
      withDir((dir) => {
        writeFileSync(join(dir, 'a.f32'), input.a);
        writeFileSync(join(dir, 'b.f32'), input.b);
        const out = run(dir, { workload: 'W3', n: input.n, ...cfg });
        const ms = median(out.seconds!) * 1000;
        const c = f32(join(dir, 'c.f32')).slice();
        return { ms, gflops: (2 * input.n ** 3) / (ms * 1e6), check: checkMatmul(input, c) };
      }),
    dispose: async () => {},
  };
}
