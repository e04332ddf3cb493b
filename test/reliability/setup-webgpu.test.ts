// Unclear errors, test setup: `npm test` as root on a machine with no driver and no network must
// not be aborted by the pretest hook (scripts/setup-webgpu.sh): apt waits for the dpkg lock, each
// step has a time limit, and a failure warns that the WGSL tests will be skipped, then exits 0.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run.ts';

const debian = existsSync('/etc/debian_version') && process.platform === 'linux';
if (!debian) console.warn('\n*** reliability/setup-webgpu: SKIPPED (not a Debian machine) ***\n');

/** Run the script as "root" with no lavapipe installed and `aptGet` as apt-get. */
function runScript(aptGet: string, timeout = '300') {
  const dir = mkdtempSync(join(tmpdir(), 'gradc-setup-'));
  const shim = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  shim('id', '[ "$1" = "-u" ] && echo 0 || /usr/bin/id "$@"');
  shim('dpkg-query', 'exit 1'); // nothing installed
  shim('apt-get', `echo "$@" >> ${JSON.stringify(join(dir, 'apt.log'))}\n${aptGet}`);
  const t0 = performance.now();
  const r = spawnSync('bash', [join(ROOT, 'scripts/setup-webgpu.sh')], {
    env: {
      ...process.env,
      PATH: `${dir}:${process.env['PATH']}`,
      FORCE: '1',
      GRADC_APT_SOURCES_DIR: dir, // never touch the machine's apt sources
      GRADC_APT_TIMEOUT: timeout,
    },
    encoding: 'utf8',
  });
  const log = existsSync(join(dir, 'apt.log')) ? readFileSync(join(dir, 'apt.log'), 'utf8') : '';
  return { ...r, log, ms: performance.now() - t0 };
}

describe.skipIf(!debian)('scripts/setup-webgpu.sh without network', () => {
  it('an apt failure warns that WGSL tests will be skipped and exits 0, waiting for the lock', () => {
    const r = runScript('echo "Temporary failure resolving deb.debian.org" >&2; exit 100');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/WARNING: 'apt-get update -qq' failed or timed out/);
    expect(r.stderr).toMatch(/WGSL tests will be SKIPPED/);
    expect(r.log).toMatch(/DPkg::Lock::Timeout=120/);
  });

  it('a hanging apt step is cut off by its time limit', () => {
    const r = runScript('sleep 30', '1');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/failed or timed out/);
    expect(r.ms).toBeLessThan(15_000);
  });
});
