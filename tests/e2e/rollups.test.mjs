// A 90-day dashboard chart reads rollups (docs/rollups.md, "Queries read rollups"): 90 days of
// 5-minute samples imported into a real daemon, rolled up hourly by a backfill, and a dashboard
// with one chart opened at ?range=90d. The chart's query answers name the hourly rollup, its
// footer says "rollups 1h", and the same view with rollups turned off over HTTP gives the same
// points from raw samples. Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const OUT = path.resolve(process.env.NANOTDB_E2E_OUT || 'test-output/e2e');
const DAY = 86400;

let daemon;
let browser;

function lines(endSeconds) {
  const out = [];
  for (let t = endSeconds - 90 * DAY; t <= endSeconds; t += 300) {
    const v = 20 + 5 * Math.sin((t / DAY) * 2 * Math.PI) + ((t / 300) % 7) / 10;
    out.push(`longterm/room.temp ${v.toFixed(2)} ${t}000000000`);
  }
  return out.join('\n') + '\n';
}

const MANIFEST = `
[rollups]
enabled = true
[[rollups.jobs]]
id = "all_1h"
source_pattern = "*"
interval = "1h"
aggregates = ["min", "max", "avg", "sum", "count"]
destination_db = "longterm_1h"
`;

const DASHBOARD = {
  title: 'Long term',
  default_db: 'longterm',
  groups: [{ id: 'main', label: 'Main', widgets: ['room'] }],
  widgets: {
    room: { type: 'line_chart', title: 'Room temperature', lookback: '90d', interval: '1m',
      series: [{ label: 'Room', metric: 'room.temp', transform: { decimals: 1 } }] },
  },
};

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb-rollups.log'));
  const end = Math.floor(Date.now() / 300000) * 300;
  let res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: lines(end),
    headers: { 'Content-Type': 'text/plain' } });
  assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  fs.appendFileSync(path.join(daemon.root, 'longterm', 'manifest.toml'), MANIFEST);
  // Admin from loopback needs no token in the test daemon.
  res = await fetch(`${daemon.base}/api/v1/rollup/backfill?dbs=longterm`, { method: 'POST' });
  assert.equal(res.status, 200, `backfill failed: ${await res.text()}`);
  res = await fetch(`${daemon.base}/api/dashboard-config`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DASHBOARD) });
  assert.equal(res.status, 200, `saving the dashboard failed: ${await res.text()}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
});

test('a 90-day dashboard chart is drawn from the hourly rollup', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    const answers = [];
    page.on('response', async (r) => {
      if (r.url().includes('/api/v1/query_range')) answers.push({ url: r.url(), body: await r.json() });
    });
    await page.goto(`${daemon.base}/?range=90d`, { waitUntil: 'networkidle' });
    const foot = page.locator('[data-widget="room"] .card-foot');
    await foot.filter({ hasText: 'rollups 1h' }).waitFor({ timeout: 15000 });
    assert.match(await foot.textContent(), /90d · step 10800s · rollups 1h/);
    const points = Number(await page.locator('[data-widget="room"] .chart-holder').getAttribute('data-points'));
    assert.ok(points >= 700, `the chart has ${points} points`);
    await page.screenshot({ path: path.join(OUT, 'dashboard-90d-rollups.png'), fullPage: true });

    // The response handler parses bodies on its own schedule: give it a moment.
    for (let i = 0; i < 50 && !answers.some((a) => a.body.data?.rollups); i++) {
      await page.waitForTimeout(100);
    }
    const answer = answers.find((a) => a.body.data?.rollups);
    assert.ok(answer, `no query_range answer read rollups: ${answers.map((a) => a.url).join(', ')}`);
    const [use] = answer.body.data.rollups;
    assert.equal(use.series, 'room.temp');
    assert.equal(use.levels[0].db, 'longterm_1h');
    assert.deepEqual(use.levels[0].series, ['room.temp.sum', 'room.temp.count']);
    assert.ok(use.levels[0].end - use.levels[0].start > 89 * DAY, JSON.stringify(use.levels[0]));
    assert.match(answer.body.infos[0], /longterm\/room\.temp: read rollups longterm_1h\/room\.temp\.sum/);

    // The same query with rollup=off: the same points, read from raw samples.
    const raw = await (await fetch(`${answer.url}&rollup=off`)).json();
    assert.equal(raw.data.rollups, undefined);
    const a = answer.body.data.result[0].values;
    const b = raw.data.result[0].values;
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) {
      assert.equal(a[i][0], b[i][0]);
      assert.ok(Math.abs(Number(a[i][1]) - Number(b[i][1])) < 1e-9, `bucket ${i}: ${a[i]} vs ${b[i]}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
