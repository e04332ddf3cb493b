// gradc's threaded module in a browser: the browser bench's page (bench/browser/), served
// cross-origin isolated, runs W2's and W3's generated modules at 1 and at 2 threads in a dedicated
// Worker of headless Chromium; the threaded ones must have their Web Worker running and give
// bitwise the 1-thread results. The runtime on a page's main thread, which may not block, spins
// while its Web Workers finish. Also the report's ratios and verdicts on a made-up outcome.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildBrowserBench } from '../../bench/browser/build.ts';
import { CHROMIUM_PATH, runPage } from '../../bench/browser/driver.ts';
import type { BrowserOutcome } from '../../bench/browser/driver.ts';
import { BROWSER_IMPLS } from '../../bench/browser/protocol.ts';
import type { BrowserRun } from '../../bench/browser/protocol.ts';
import { browserFigures, browserTargets, renderBrowser } from '../../bench/browser/report.ts';
import { serveIsolated } from '../../bench/browser/server.ts';
import { benchConfig } from '../../bench/peers/types.ts';
import type { SpinPage } from '../support/threads-page.ts';
import { tinyModule } from '../support/threads-module.ts';

if (!CHROMIUM_PATH) {
  console.warn(
    '\n\n*** browser threads test SKIPPED: no Chromium. Run scripts/setup-chromium.sh as root ' +
      '(apt install chromium), or set CHROMIUM=/path/to/chrome ***\n',
  );
}

describe.skipIf(!CHROMIUM_PATH)('a threaded module in headless Chromium', () => {
  it('runs its Web Worker and matches the 1-thread module bitwise (W2 steps, W3)', async () => {
    const cfg = benchConfig(true);
    const plan = await buildBrowserBench({
      cfg,
      reps: 1,
      workloads: ['W2', 'W3'],
      impls: [...BROWSER_IMPLS],
    });
    const { state } = await runPage(plan, '?check', () => {}, 120_000);
    expect(state.error).toBeUndefined();
    expect(state.env?.crossOriginIsolated).toBe(true);
    const check = state.check!;
    expect(check.threads).toEqual([2, 2]); // W2's and W3's threaded modules, workers started
    expect(check.differ).toEqual([]);
    // W2's 2.9M params and moments and W3's 256² product were compared.
    expect(check.compared).toBeGreaterThan(2_000_000);
    const [one, two] = check.losses;
    expect(one.length).toBe(3);
    expect(two).toEqual(one);
    expect(one[2]!).toBeLessThan(one[0]!); // it trains
  }, 300_000);

  it("shares a split kernel from a page's main thread, spinning instead of waiting", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-spin-')) + sep;
    const entry = fileURLToPath(new URL('../support/threads-page.ts', import.meta.url));
    await build({ entryPoints: [entry], outfile: `${dir}page.js`, bundle: true, format: 'esm' });
    writeFileSync(`${dir}tiny.wasm`, tinyModule());
    writeFileSync(`${dir}index.html`, '<script type="module" src="./page.js"></script>');
    const site = await serveIsolated(dir);
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH!,
      args: ['--no-sandbox'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(site.url);
      // Functions run in the page: each names the global itself.
      const done = () => (globalThis as { spinPage?: SpinPage }).spinPage?.done;
      await page.waitForFunction(done, null, { timeout: 60_000 });
      const state = await page.evaluate(() => (globalThis as { spinPage?: SpinPage }).spinPage!);
      expect(state.error).toBeUndefined();
      expect(state.canWait).toBe(false); // so the wait for the workers was the spin
      expect(state.before).toEqual([10, 20, 30, 60]); // no worker yet: this thread did all
      expect(state.running).toBe(2);
      expect(state.after).toEqual([10, 20, 30, 60]);
    } finally {
      await browser.close();
      site.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the browser report', () => {
  const run = (impl: BrowserRun['impl'], workload: BrowserRun['workload'], ms: number) => ({
    impl,
    workload,
    rep: 0,
    ms,
    threads: impl.endsWith('2t') || impl.endsWith('workers') ? 2 : 1,
    ...(workload === 'W2'
      ? { finalLoss: 0.5 }
      : { gflops: 2 / ms, check: { samples: 1, maxRelErr: 1e-7, ok: true } }),
  });
  const outcome: BrowserOutcome = {
    browser: 'Chromium test',
    plan: {
      ...benchConfig(true),
      reps: 1,
      workloads: ['W2', 'W3'],
      impls: [...BROWSER_IMPLS],
      sizes: [784, 512, 512, 10],
      count: 128,
      jaxWorkers: 2,
    },
    state: {
      done: true,
      runs: [
        run('gradc-ts-2t', 'W2', 7),
        run('jax-js-wasm-workers', 'W2', 10),
        run('gradc-ts-2t', 'W3', 1),
        run('jax-js-wasm-workers', 'W3', 1.25),
      ],
    },
  };

  it('judges the threaded targets on medians against jax-js with workers', () => {
    const figs = browserFigures(outcome);
    const w2fig = figs.find((f) => f.impl === 'gradc-ts-2t' && f.workload === 'W2');
    expect(w2fig?.vsWorkers).toBeCloseTo(10 / 7, 12); // faster: > 1
    const [w2, w3] = browserTargets(figs);
    expect(w2!.verdict).toBe('met'); // 7 / 10 ms = 0.70× ≤ 0.8×
    expect(w2!.measured).toMatch(/^0\.70×/);
    expect(w3!.verdict).toBe('missed'); // 2 / 1.6 GFLOP/s = 1.25× < 1.3×
    expect(w3!.measured).toMatch(/^1\.25×/);
    expect(renderBrowser(outcome, true)).toContain('| gradc-ts-2t | 2 |');
  });
});
