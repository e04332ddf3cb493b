// examples/browser end to end: build it (the page compiles nothing), serve it from 127.0.0.1,
// and train in headless Chromium — on WebGPU (SwiftShader) and on the TypeScript fallback with
// WebGPU hidden. The loss must fall in both; a screenshot of the live curve is kept.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildExample } from '../../examples/browser/build.ts';

const DIR = fileURLToPath(new URL('../../examples/browser/', import.meta.url));
const CHROMIUM = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
if (!CHROMIUM) {
  console.warn(
    '\n\n*** browser example test SKIPPED: no Chromium. Run scripts/setup-chromium.sh as root ' +
      '(apt install chromium), or set CHROMIUM=/path/to/chrome ***\n',
  );
}

interface Demo {
  backend: 'webgpu' | 'ts';
  losses: number[];
  done: boolean;
  error?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** A static file server for examples/browser on 127.0.0.1 (a random port). */
function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const path = normalize(join(DIR, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(DIR) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    }),
  );
}

describe.skipIf(!CHROMIUM)('examples/browser in headless Chromium', () => {
  let browser: Browser;
  let site: { url: string; close: () => void };
  beforeAll(async () => {
    await buildExample();
    site = await serve();
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    site?.close();
  });

  async function train(hideWebGpu: boolean, screenshot?: string): Promise<Demo> {
    const page = await browser.newPage({ viewport: { width: 760, height: 560 } });
    if (hideWebGpu) {
      await page.addInitScript(() =>
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }),
      );
    }
    await page.goto(site.url);
    await page.waitForFunction(() => (globalThis as { gradcDemo?: Demo }).gradcDemo?.done, null, {
      timeout: 240_000,
    });
    const demo = await page.evaluate(
      () => (globalThis as unknown as { gradcDemo: Demo }).gradcDemo,
    );
    if (screenshot) await page.screenshot({ path: screenshot });
    await page.close();
    return demo;
  }

  test('trains on WebGPU (SwiftShader) with a falling loss curve', async () => {
    const shot = join(DIR, 'gen/screenshot.png');
    const demo = await train(false, shot);
    expect(demo.error).toBeUndefined();
    expect(demo.backend).toBe('webgpu');
    expect(demo.losses.length).toBeGreaterThan(10);
    expect(demo.losses.at(-1)!).toBeLessThan(0.6 * demo.losses[0]!);
    expect(statSync(shot).size).toBeGreaterThan(5_000);
  });

  test('falls back to the TypeScript module without WebGPU, and the loss falls', async () => {
    const demo = await train(true);
    expect(demo.error).toBeUndefined();
    expect(demo.backend).toBe('ts');
    expect(demo.losses.at(-1)!).toBeLessThan(0.6 * demo.losses[0]!);
  });

  test('main.ts type-checks (strict) against the generated modules', () => {
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const out = execFileSync(process.execPath, [tsc, '-p', join(DIR, 'tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(out).toBe('');
  });
});
