// Ranges per widget and touch zoom, in the browser against a real daemon with two hours of
// samples: a chart's own time range (its card's select, kept in the URL, over the page's
// range; zooming it zooms that chart only) and pinch / two-finger drag on a phone (Chromium's
// touch emulation through the DevTools protocol: two touch points at once).
// Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { DESKTOP, OUT, PHONE, launchBrowser, openPage, screenshots } from './browser.mjs';
import { sampleLines, startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';

let daemon;
let browser;
const contexts = new Set();

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb-zoom.log'));
  const res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: sampleLines(),
    headers: { 'Content-Type': 'text/plain' } });
  assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  browser = await launchBrowser();
});

afterEach(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  contexts.clear();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
});

async function open(viewport, url) {
  const opened = await openPage(browser, daemon.base, viewport, url);
  contexts.add(opened.context);
  return opened;
}

const holder = (w) => `[data-widget="${w}"] .chart-holder`;
// The span a chart drew, once it is `seconds` long (within 2 %).
async function waitForSpan(page, w, seconds) {
  await page.waitForFunction(([sel, s]) => {
    const h = document.querySelector(sel);
    const span = Number(h?.dataset.to) - Number(h?.dataset.from);
    return h?.dataset.points && Math.abs(span - s) <= s * 0.02;
  }, [holder(w), seconds], { timeout: 10000 });
}
const span = async (page, w) => {
  const h = page.locator(holder(w));
  return Number(await h.getAttribute('data-to')) - Number(await h.getAttribute('data-from'));
};

test('a chart keeps its own range over the page range, in the URL, and zooms alone', async () => {
  const { page, problems } = await open(DESKTOP, '/?range=6h');
  await waitForSpan(page, 'load_history', 6 * 3600);
  const own = page.getByLabel('Time range of Load average');
  assert.equal(await own.inputValue(), '');
  await own.selectOption('7d');
  await waitForSpan(page, 'load_history', 7 * 86400);
  assert.equal(new URL(page.url()).searchParams.get('r.load_history'), '7d');
  assert.equal(await span(page, 'memory_history'), 6 * 3600);
  assert.match(await page.locator('[data-widget="load_history"] .card-foot').textContent(), / · 7d/);
  // The page range moves the others, not it.
  await page.selectOption('#range', '1h');
  await waitForSpan(page, 'memory_history', 3600);
  assert.equal(await span(page, 'load_history'), 7 * 86400);
  // A reload keeps both.
  await page.reload({ waitUntil: 'networkidle' });
  await waitForSpan(page, 'load_history', 7 * 86400);
  await waitForSpan(page, 'memory_history', 3600);
  // A drag zooms that chart only.
  const over = page.locator('[data-widget="load_history"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.90, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.99, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.to) -
      Number(document.querySelector(sel)?.dataset.from) < 86400, holder('load_history'));
  assert.equal(await own.inputValue(), 'zoomed');
  assert.equal(await span(page, 'memory_history'), 3600);
  assert.equal(new URL(page.url()).searchParams.get('range'), '1h');
  // A double-click returns to its own 7 days; "Page range" to the page's hour.
  await over.dblclick();
  await waitForSpan(page, 'load_history', 7 * 86400);
  await own.selectOption('');
  await waitForSpan(page, 'load_history', 3600);
  assert.equal(new URL(page.url()).searchParams.has('r.load_history'), false);
  assert.deepEqual(problems, []);
});

// Two fingers on a chart: touchStart at `from`, then moves in steps to `to` (x positions, at
// the vertical middle of the plot), then lift.
async function twoFingers(page, box, from, to) {
  const cdp = await page.context().newCDPSession(page);
  const y = box.y + box.height / 2;
  const points = (xs) => xs.map((x, id) => ({ x, y, id }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(from) });
  for (let i = 1; i <= 8; i++) {
    const xs = from.map((f, k) => f + (to[k] - f) * i / 8);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(xs) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

test('on a phone a pinch zooms the time axis and a two-finger drag pans it, not the page', async () => {
  const { page, problems } = await open(PHONE, '/?range=6h');
  await waitForSpan(page, 'load_history', 6 * 3600);
  const over = page.locator('[data-widget="load_history"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  const h = page.locator(holder('load_history'));
  const from0 = Number(await h.getAttribute('data-from'));
  const mid = box.x + box.width / 2;
  // The time under the fingers' midpoint before the pinch.
  const midTime = from0 + 6 * 3600 / 2;
  // Fingers 60 px apart spread to 240 px: a quarter of the span, about the same middle.
  await twoFingers(page, box, [mid - 30, mid + 30], [mid - 120, mid + 120]);
  await page.waitForFunction(() => new URL(location.href).searchParams.has('from'));
  await waitForSpan(page, 'load_history', 6 * 3600 / 4);
  const from1 = Number(await h.getAttribute('data-from'));
  const to1 = Number(await h.getAttribute('data-to'));
  assert.ok(Math.abs((from1 + to1) / 2 - midTime) < 6 * 3600 * 0.02,
      `the middle moved from ${midTime} to ${(from1 + to1) / 2}`);
  assert.equal(await page.evaluate(() => window.visualViewport.scale), 1, 'the page zoomed too');
  // Every chart of the page shows the zoomed range.
  await waitForSpan(page, 'memory_history', 6 * 3600 / 4);
  // Two fingers moved 100 px right together: the range moves 100 px worth earlier.
  const spanNow = to1 - from1;
  await twoFingers(page, box, [mid - 50, mid + 50], [mid + 50, mid + 150]);
  const expected = from1 - 100 / box.width * spanNow;
  await page.waitForFunction(([sel, f]) => Math.abs(Number(document.querySelector(sel)?.dataset.from) - f) < 60,
      [holder('load_history'), expected]);
  assert.ok(Math.abs(await span(page, 'load_history') - spanNow) < 2);
  assert.deepEqual(problems, []);
});

test('screenshots of a chart with its own range at both sizes, light and dark', async () => {
  const files = await screenshots(browser, daemon.base, 'widget-range', '/?range=6h&r.load_history=24h',
      (page) => waitForSpan(page, 'load_history', 86400));
  assert.equal(files.length, 4);
});
