// Shared browser plumbing of the e2e tests: Debian's chromium through playwright-core, pages
// that record console errors, uncaught exceptions and requests to other hosts, and screenshots
// at both sizes in both themes.
import path from 'node:path';

import { chromium } from 'playwright-core';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };
export const OUT = path.resolve(process.env.NANOTDB_E2E_OUT || 'test-output/e2e');

export function launchBrowser() {
  // playwright-core gives every launch a fresh temporary --user-data-dir of its own (it
  // refuses one in args).
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Opens `url` of the daemon at `base` in a new context ({page, context, problems}); the
// caller closes the context. colorScheme: 'light' | 'dark' (the system theme the page sees).
export async function openPage(browser, base, viewport, url, { colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, isMobile: viewport === PHONE,
    hasTouch: viewport === PHONE, colorScheme });
  const page = await context.newPage();
  const problems = [];
  const host = new URL(base).host;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.host !== host) problems.push(`request to ${r.url()}`);
  });
  await page.goto(base + url, { waitUntil: 'networkidle' });
  return { page, context, problems };
}

// Screenshots of `url` at 390×844 and 1440×900 in light and dark, as
// OUT/<name>-<phone|desktop>-<light|dark>.png, each taken once `ready(page)` resolves. `allow`:
// the problems the page is expected to log (a refused request on purpose).
export async function screenshots(browser, base, name, url, ready, { allow = [] } = {}) {
  const files = [];
  for (const [device, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    for (const scheme of ['light', 'dark']) {
      const { page, context, problems } = await openPage(browser, base, viewport, url,
          { colorScheme: scheme });
      try {
        if (ready) await ready(page);
        const file = path.join(OUT, `${name}-${device}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        files.push(file);
        const unexpected = problems.filter((p) => !allow.includes(p));
        if (unexpected.length) throw new Error(`${name} ${device} ${scheme}: ${unexpected.join('; ')}`);
      } finally {
        await context.close();
      }
    }
  }
  return files;
}
