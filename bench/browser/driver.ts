// Runs the browser bench: build it (build.ts), serve it cross-origin isolated from 127.0.0.1
// (server.ts), open the page in Debian's headless Chromium through playwright-core, and wait for
// its runs (page.ts). `npx tsx bench/run.ts W2T W3T` calls this and writes the report.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { buildBrowserBench, DIR } from './build.ts';
import type { BrowserBuild } from './build.ts';
import type { BrowserPlan, PageState } from './protocol.ts';
import { serveIsolated } from './server.ts';

/** Debian's chromium (scripts/setup-chromium.sh), or CHROMIUM=/path/to/chrome. */
export const CHROMIUM_PATH = [
  process.env['CHROMIUM'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((p) => p && existsSync(p));

export interface BrowserOutcome {
  plan: BrowserPlan;
  browser: string;
  state: PageState;
}

/** Open the built page (with `query`) and wait until it says it is done. */
export async function runPage(
  plan: BrowserPlan,
  query = '',
  log: (line: string) => void = () => {},
  timeoutMs = 20 * 60_000,
): Promise<BrowserOutcome> {
  if (!CHROMIUM_PATH) throw new Error('no Chromium: run scripts/setup-chromium.sh or set CHROMIUM');
  const site = await serveIsolated(DIR);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    page.on('console', (m) => log(`page: ${m.text()}`));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${site.url}${query}`);
    await page.waitForFunction(
      () => (globalThis as { browserBench?: PageState }).browserBench?.done,
      null,
      { timeout: timeoutMs, polling: 500 },
    );
    const state = await page.evaluate(
      () => (globalThis as unknown as { browserBench: PageState }).browserBench,
    );
    return { plan, browser: `Chromium ${browser.version()}`, state };
  } finally {
    await browser?.close();
    site.close();
  }
}

/** Build, then run every repetition in one page. */
export async function runBrowserBench(
  o: BrowserBuild,
  log: (line: string) => void = () => {},
): Promise<BrowserOutcome> {
  const plan = await buildBrowserBench(o);
  log(
    `browser bench built (${plan.workloads.join(', ')}; jax-js pool: ${plan.jaxWorkers} workers)`,
  );
  return runPage(plan, '', log);
}
