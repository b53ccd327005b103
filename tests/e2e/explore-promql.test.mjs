// Explore speaking PromQL, in the browser: a real daemon with two hours of samples (a gauge in
// %, a byte counter, labelled series in a second database whose names hold '.', '/', '-' and
// UTF-8); the PromQL mode, an expression typed in the metric search, units of the expression,
// the series of another database, and parse errors shown at their position.
// Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { DESKTOP, OUT, launchBrowser, openPage, screenshots } from './browser.mjs';
import { labelledLines, sampleLines, startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const MiB = 1024 * 1024;

let daemon;
let browser;
const contexts = new Set();

// A byte counter: 1 MiB more every 10 s (a rate of 102.4 KiB/s).
function counterLines(nowMs) {
  const out = [];
  const end = Math.floor(nowMs / 10000) * 10000;
  for (let t = end - 2 * 3600 * 1000, i = 0; t <= end; t += 10000, i++) {
    out.push(`metrics/net.eth0.rx_bytes ${i * MiB}i ${t}000000`);
  }
  return out.join('\n') + '\n';
}

// The time of the last samples (Unix s): a range that ends there reads the same whenever the
// test runs.
const NOW = Date.now();
const END = Math.floor(NOW / 10000) * 10;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb-promql.log'));
  const now = NOW;
  for (const body of [sampleLines(now), counterLines(now), labelledLines(now)]) {
    const res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  }
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

async function open(url) {
  const opened = await openPage(browser, daemon.base, DESKTOP, url);
  contexts.add(opened.context);
  return opened;
}

const points = (page) => page.waitForFunction(() => Number(document.querySelector('#explore-chart')?.dataset.points) > 100);
const tile = (page, label) => page.locator('.cards .tile', { has: page.locator('.tile-label', { hasText: label }) });

test('PromQL mode charts an expression in the unit of its metric and keeps it in the URL', async () => {
  const { page, problems } = await open('/explore?db=metrics&range=2h');
  await page.getByRole('button', { name: 'PromQL' }).click();
  assert.equal(await page.getByRole('button', { name: 'PromQL' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#metric-search').isVisible(), false);
  await page.locator('#promql').fill('avg_over_time(cpu.busy_pct[5m])');
  await page.keyboard.press('Enter');
  await points(page);
  // One series without a name: labelled with the expression, its axis in %.
  await tile(page, 'avg_over_time(cpu.busy_pct[5m])').waitFor();
  const axes = JSON.parse(await page.locator('#explore-chart').getAttribute('data-axes'));
  assert.equal(axes[0].unit, '%');
  assert.match(await tile(page, 'avg_over_time').locator('.tile-value').textContent(), /^\d+(\.\d+)?%$/);
  assert.match(await page.locator('#explore-chart + .card-foot').textContent(),
      /PromQL every \d+s · 1 series · \d+ points/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('mode'), 'promql');
  assert.equal(url.searchParams.get('q'), 'avg_over_time(cpu.busy_pct[5m])');
  // The shared URL opens the same view.
  await page.goto(url.href, { waitUntil: 'networkidle' });
  await points(page);
  assert.equal(await page.locator('#promql').inputValue(), 'avg_over_time(cpu.busy_pct[5m])');
  await page.getByRole('button', { name: 'Metrics' }).click();
  await page.locator('#metric-search').waitFor();
  assert.deepEqual(problems, []);
});

test('an expression typed in the metric search is offered as PromQL and runs on Enter', async () => {
  // The two hours up to the last sample: every 1-minute window of the rate is full of samples
  // (near now, the windows run past the data and the rate's extrapolation varies).
  const { page, problems } = await open(`/explore?db=metrics&from=${END - 7200}&to=${END}`);
  await page.fill('#metric-search', 'rate(net.eth0.rx_bytes[1m])');
  const first = page.locator('#metric-list li[role=option]').first();
  assert.equal(await first.textContent(), 'Run as PromQL: rate(net.eth0.rx_bytes[1m])');
  await page.keyboard.press('Enter');
  await points(page);
  assert.equal(await page.locator('#promql').inputValue(), 'rate(net.eth0.rx_bytes[1m])');
  // rate() of a byte counter reads in B/s: 1 MiB per 10 s.
  await tile(page, 'net.eth0.rx_bytes').locator('.tile-value', { hasText: '102.4 KiB/s' }).waitFor();
  const axes = JSON.parse(await page.locator('#explore-chart').getAttribute('data-axes'));
  assert.match(axes[0].labels.at(-1), /KiB\/s$/);
  // A metric name alone is still a metric: no PromQL offer.
  await page.getByRole('button', { name: 'Metrics' }).click();
  await page.fill('#metric-search', 'cpu.busy');
  await page.locator('#metric-list li[role=option]', { hasText: 'cpu.busy_pct' }).waitFor();
  assert.equal(await page.locator('#metric-list li.as-promql').count(), 0);
  assert.deepEqual(problems, []);
});

test('series of another database, their names holding dots, slashes and UTF-8, are selected by PromQL', async () => {
  const { page, problems } = await open('/explore?db=metrics&range=2h&mode=promql');
  await page.locator('#promql').fill('lab/power_watts{circuit="kitchen/oven"}');
  await page.getByRole('button', { name: 'Run' }).click();
  const label = 'lab/power_watts{circuit="kitchen/oven", note="café ☕"}';
  await tile(page, label).locator('.tile-value', { hasText: '1234.5' }).waitFor();
  // A quoted metric name with '-' and '°' (PromQL 3 form) in the database chosen.
  await page.selectOption('#db', 'lab');
  await page.locator('#promql').fill('{"temp-°C", room="living room"}');
  await page.keyboard.press('Enter');
  await tile(page, 'temp-°C{room="living room"}').locator('.tile-value', { hasText: '21.5' }).waitFor();
  assert.deepEqual(problems, []);
});

test('a PromQL error is shown with its position, and nothing stale is left drawn', async () => {
  const { page, problems } = await open('/explore?db=metrics&range=2h&mode=promql&q=sys.load5');
  await tile(page, 'sys.load5').waitFor();
  await page.locator('#promql').fill('rate(cpu.busy_pct[5m]');
  await page.keyboard.press('Enter');
  const error = page.locator('#explore-error');
  await error.locator('pre.promql-caret').waitFor();
  const text = await error.locator('div').first().textContent();
  assert.match(text, /^PromQL error: invalid parameter "query": 1:\d+: parse error: /);
  const col = Number(/1:(\d+):/.exec(text)[1]);
  assert.equal(await error.locator('pre').textContent(), `rate(cpu.busy_pct[5m]\n${' '.repeat(col - 1)}^`);
  assert.equal(await page.locator('.cards .tile').count(), 0);
  assert.equal(await page.locator('#explore-chart .u-over').count(), 0);
  // An unknown function names itself, the caret under it.
  await page.locator('#promql').fill('no_such_fn(cpu.busy_pct)');
  await page.keyboard.press('Enter');
  await error.locator('div', { hasText: 'unknown function with name "no_such_fn"' }).waitFor();
  assert.equal(await error.locator('pre').textContent(), 'no_such_fn(cpu.busy_pct)\n^');
  // A good expression clears the error.
  await page.locator('#promql').fill('sys.load5');
  await page.keyboard.press('Enter');
  await tile(page, 'sys.load5').waitFor();
  assert.equal(await error.isVisible(), false);
  // The two refused queries are 400 answers, which Chromium logs as failed resource loads.
  const failed = 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';
  assert.deepEqual(problems, [failed, failed]);
});

test('screenshots of Explore in PromQL mode at both sizes, light and dark', async () => {
  const files = await screenshots(browser, daemon.base, 'explore-promql',
      '/explore?db=metrics&range=6h&mode=promql&q=rate(net.eth0.rx_bytes%5B1m%5D)',
      (page) => points(page));
  assert.equal(files.length, 4);
  // The refused query is a 400 answer, which Chromium logs as a failed resource load.
  const errors = await screenshots(browser, daemon.base, 'explore-promql-error',
      '/explore?db=metrics&range=2h&mode=promql&q=rate(cpu.busy_pct%5B5m%5D',
      (page) => page.locator('#explore-error pre').waitFor(),
      { allow: ['console: Failed to load resource: the server responded with a status of 400 (Bad Request)'] });
  assert.equal(errors.length, 4);
});
