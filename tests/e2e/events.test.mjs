// Events in the dashboard, in the browser: a real daemon holding two hours of samples and
// events written through POST /api/v1/events; an event log widget (newest first, value,
// payload, filter by name) and event markers on a chart (one line per event of the range, a
// tooltip naming them, ⚑ to hide them), both also built in the editor.
// Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { DESKTOP, OUT, PHONE, launchBrowser, openPage, screenshots } from './browser.mjs';
import { sampleLines, startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const MIN = 60 * 1000;

let daemon;
let browser;
const contexts = new Set();
const now = Math.floor(Date.now() / 10000) * 10000;
const ns = (ms) => ms * 1e6;  // exact for these times (multiples of 10 s)

// Written oldest first: 90, 60, 45, 30 and 20 minutes ago, then 10 (reboot, no value or
// payload) and 5 (a long payload).
const EVENTS = [
  { name: 'deploy', ts: ns(now - 90 * MIN), value: 3, payload: { version: '1.4.2', by: 'ci' } },
  { name: 'door.open', ts: ns(now - 60 * MIN), value: 1, payload: { room: 'hall' } },
  { name: 'door.open', ts: ns(now - 45 * MIN), value: 1, payload: { room: 'kitchen' } },
  { name: 'alarm', ts: ns(now - 30 * MIN), value: 21.5, payload: { sensor: 'freezer', limit: -18 } },
  { name: 'door.open', ts: ns(now - 20 * MIN), value: 1, payload: { room: 'garage' } },
  { name: 'reboot', ts: ns(now - 10 * MIN) },
  { name: 'backup done', ts: ns(now - 5 * MIN), value: 1234567,
    payload: { files: 1234, paths: ['/etc', '/home/pi', '/var/lib/nanotdb'], note: 'nightly run' } },
];

const DASHBOARD = {
  title: 'Home',
  default_db: 'metrics',
  groups: [{ id: 'home', label: 'Home', widgets: ['log', 'cpu', 'doors'] }],
  widgets: {
    log: { type: 'event_log', title: 'Events', lookback: '1d', events: { db: 'home' } },
    cpu: { type: 'line_chart', title: 'CPU busy', lookback: '2h', interval: '1m',
      series: [{ label: 'Busy', metric: 'cpu.busy_pct', transform: { unit: '%' } }],
      events: { db: 'home' } },
    doors: { type: 'event_log', title: 'Doors', lookback: '1d',
      events: { db: 'home', name: 'door.open', limit: 2 } },
  },
};

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb-events.log'));
  const res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: sampleLines(now),
    headers: { 'Content-Type': 'text/plain' } });
  assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  const ev = await fetch(`${daemon.base}/api/v1/events?db=home`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(EVENTS) });
  assert.equal(ev.status, 200, `events refused: ${await ev.text()}`);
  const put = await fetch(`${daemon.base}/api/dashboard-config`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DASHBOARD) });
  assert.equal(put.status, 200, `dashboard refused: ${await put.text()}`);
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

const rowsOf = (page, widget) => page.locator(`[data-widget="${widget}"] table.event-log tbody tr`);
const column = (page, widget, cls) => page.locator(`[data-widget="${widget}"] table.event-log tbody td.${cls}`)
    .allTextContents();

test('the event log lists the newest events first with value and payload, and filters by name', async () => {
  const { page, problems } = await open(DESKTOP, '/');
  const rows = rowsOf(page, 'log');
  await rows.first().waitFor();
  assert.deepEqual(await column(page, 'log', 'event-name'),
      ['backup done', 'reboot', 'door.open', 'alarm', 'door.open', 'door.open', 'deploy']);
  const cells = async (i) => rows.nth(i).locator('td').allTextContents();
  // deploy: the oldest, last; value 3 and its payload as compact JSON.
  const deploy = await cells(6);
  assert.equal(deploy[2], '3');
  assert.equal(deploy[3], '{"version":"1.4.2","by":"ci"}');
  assert.equal((await cells(3))[2], '21.5');
  // reboot: no value, no payload.
  assert.deepEqual((await cells(1)).slice(2), ['—', '']);
  // A long payload folds; opening it shows it indented.
  const long = rows.nth(0).locator('details');
  assert.match(await long.locator('summary').textContent(), /^\{"files":1234,"paths":\[.*…$/);
  await long.locator('summary').click();
  assert.match(await long.locator('pre').textContent(), /\n {2}"paths": \[\n {4}"\/etc",/);
  // The time column is the event's local time, to the second.
  const when = new Date(now - 90 * MIN).toLocaleString([], { year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  assert.equal(deploy[0], when);
  assert.match(await page.locator('[data-widget="log"] .card-foot').textContent(), /1d · 7 events in home/);

  // The filter offers the names of the range with their counts; picking one asks the server.
  const filter = page.locator('[data-widget="log"] select.event-filter');
  assert.deepEqual(await filter.locator('option').allTextContents(),
      ['All names (7)', 'door.open (3)', 'alarm (1)', 'backup done (1)', 'deploy (1)', 'reboot (1)']);
  const asked = page.waitForRequest((r) => r.url().includes('/api/v1/events?') && r.url().includes('name=door.open'));
  await filter.selectOption('door.open');
  await asked;
  await page.waitForFunction(() => document.querySelectorAll('[data-widget="log"] tbody tr').length === 3);
  assert.deepEqual(await column(page, 'log', 'event-payload'),
      ['{"room":"garage"}', '{"room":"kitchen"}', '{"room":"hall"}']);
  await filter.selectOption('');
  await page.waitForFunction(() => document.querySelectorAll('[data-widget="log"] tbody tr').length === 7);

  // A widget fixed to one name with a limit shows the newest of that name and says so.
  assert.deepEqual(await column(page, 'doors', 'event-payload'), ['{"room":"garage"}', '{"room":"kitchen"}']);
  assert.equal(await page.locator('[data-widget="doors"] select.event-filter').count(), 0);
  assert.match(await page.locator('[data-widget="doors"] .card-foot').textContent(),
      /1d · newest 2 named door.open in home/);
  assert.deepEqual(problems, []);
});

test('the page range applies to the event log', async () => {
  const { page, problems } = await open(DESKTOP, '/?range=15m');
  await page.locator('[data-widget="log"] .card-foot', { hasText: '15m ·' }).waitFor();
  assert.deepEqual(await column(page, 'log', 'event-name'), ['backup done', 'reboot']);
  assert.deepEqual(problems, []);
});

// The page x of the (first) marker of the events named `name`.
async function markerAt(page, widget, name) {
  const marker = page.locator(`[data-widget="${widget}"] .event-marker[data-name="${name}"]`).first();
  const box = await marker.boundingBox();
  return box.x;
}

test('a chart marks the events of its range; the tooltip names them and ⚑ hides them', async () => {
  const { page, problems } = await open(DESKTOP, '/');
  const holder = page.locator('[data-widget="cpu"] .chart-holder[data-points]');
  await holder.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-widget="cpu"] .chart-holder')?.dataset.markers === '7');
  const over = page.locator('[data-widget="cpu"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  // Markers sit at their times on the span the chart drew (2 h up to when it asked).
  const from = Number(await holder.getAttribute('data-from'));
  const to = Number(await holder.getAttribute('data-to'));
  const x = (minutes) => box.x + box.width * ((now - minutes * MIN) / 1000 - from) / (to - from);
  const deploy = await markerAt(page, 'cpu', 'deploy');
  const reboot = await markerAt(page, 'cpu', 'reboot');
  assert.ok(Math.abs(deploy - x(90)) < 4, `deploy's marker at ${deploy}, expected ${x(90)}`);
  assert.ok(Math.abs(reboot - x(10)) < 4, `reboot's marker at ${reboot}, expected ${x(10)}`);
  assert.match(await page.locator('[data-widget="cpu"] .card-foot').textContent(), /· 7 events$/);

  const tip = page.locator('[data-widget="cpu"] .chart-tip');
  await page.mouse.move(deploy + 1, box.y + box.height / 2);
  await tip.locator('.chart-tip-event').first().waitFor();
  assert.match(await tip.locator('.chart-tip-event').first().textContent(),
      /⚑ .+ deploy = 3 · \{"version":"1\.4\.2","by":"ci"\}/);
  // The series values are still there.
  assert.match(await tip.textContent(), /Busy: /);
  // Away from any marker the tooltip has no event.
  await page.mouse.move(x(75), box.y + box.height / 2);
  await page.waitForFunction(() => !document.querySelector('[data-widget="cpu"] .chart-tip-event'));
  assert.equal(await tip.isVisible(), true);

  const toggle = page.locator('[data-widget="cpu"] .marker-toggle');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('[data-widget="cpu"] .event-marker').count(), 0);
  await page.mouse.move(deploy + 1, box.y + box.height / 2);
  await tip.waitFor({ state: 'visible' });
  assert.equal(await tip.locator('.chart-tip-event').count(), 0, 'a hidden marker is in the tooltip');
  // Hidden stays hidden across a refresh (the events are read again and kept hidden).
  const reads = async () => Number(await holder.getAttribute('data-event-reads'));
  const before = await reads();
  await page.locator('[data-widget="cpu"] button[aria-label="Refresh now"]').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-widget="cpu"] .chart-holder')
      ?.dataset.eventReads) > n, before);
  assert.equal(await page.locator('[data-widget="cpu"] .event-marker').count(), 0);
  await toggle.click();
  assert.equal(await page.locator('[data-widget="cpu"] .event-marker').count(), 7);
  assert.deepEqual(problems, []);
});

test('a tap on a marker shows its event on a phone', async () => {
  const { page, problems } = await open(PHONE, '/');
  await page.waitForFunction(() => document.querySelector('[data-widget="cpu"] .chart-holder')?.dataset.markers === '7');
  const over = page.locator('[data-widget="cpu"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  const alarm = await markerAt(page, 'cpu', 'alarm');
  await page.touchscreen.tap(alarm + 1, box.y + box.height / 2);
  await page.locator('[data-widget="cpu"] .chart-tip-event', { hasText: 'alarm = 21.5' }).waitFor();
  assert.deepEqual(problems, []);
});

test('the editor builds an event log and chart markers, previewed with real events', async () => {
  const { page, problems } = await open(DESKTOP, '/dashboard/edit');
  // A number widget has neither events nor markers (and no stray text where they would be).
  await page.getByRole('button', { name: '+ New widget' }).click();
  assert.doesNotMatch(await page.locator('#main').textContent(), /null|undefined/);
  await page.getByLabel('Widget type').selectOption('event_log');
  // An event log has no series; its events come from the database typed.
  assert.equal(await page.getByRole('heading', { name: /^Series/ }).count(), 0);
  await page.getByLabel('Events database').fill('home');
  await page.getByLabel('Event name').fill('alarm');
  // The preview follows the fields: only the alarm once the name is typed.
  await page.waitForFunction(() => [...document.querySelectorAll('.preview td.event-name')]
      .map((td) => td.textContent).join() === 'alarm');
  assert.match(await page.locator('.preview .card-foot').textContent(), /1d · 1 event named alarm in home/);
  // A limit beyond 1000 is named at once, and by the server.
  await page.getByLabel('Events limit').fill('5000');
  await page.locator('#editor-state', { hasText: 'field "limit" must be a whole number from 1 to 1000' }).waitFor();
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('#editor-message li', { hasText: 'events: field "limit" must be a whole number from 1 to 1000' }).waitFor();
  await page.getByLabel('Events limit').fill('');
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('#editor-message', { hasText: 'The server accepts this dashboard.' }).waitFor();

  // Made a chart, the log's events become its markers; the checkbox removes and adds them.
  await page.getByLabel('Widget type').selectOption('line_chart');
  await page.getByLabel('Series 1 metric').fill('cpu.busy_pct');
  const markers = page.getByRole('checkbox', { name: 'Event markers' });
  assert.equal(await markers.isChecked(), true);
  await page.waitForFunction(() => document.querySelector('.preview .chart-holder')?.dataset.markers === '1');
  await markers.uncheck();
  assert.equal(await page.getByLabel('Events database').count(), 0);
  await page.waitForFunction(() => document.querySelector('.preview .chart-holder[data-points]') &&
      !document.querySelector('.preview .marker-toggle'));
  await markers.check();
  await page.getByLabel('Events database').fill('home');
  await page.waitForFunction(() => document.querySelector('.preview .chart-holder')?.dataset.markers === '7');
  await page.getByLabel('Event name').fill('door.open');
  await page.waitForFunction(() => document.querySelector('.preview .chart-holder')?.dataset.markers === '3');
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('#editor-message', { hasText: 'The server accepts this dashboard.' }).waitFor();
  await page.screenshot({ path: path.join(OUT, 'events-editor-desktop.png'), fullPage: true });
  // The one refused Validate is a 400 answer, which Chromium logs as a failed resource load.
  assert.deepEqual(problems, ['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
});

test('screenshots of the event log and markers at both sizes, light and dark', async () => {
  const files = await screenshots(browser, daemon.base, 'events', '/', async (page) => {
    await rowsOf(page, 'log').first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-widget="cpu"] .chart-holder')?.dataset.markers === '7');
  });
  assert.equal(files.length, 4);
});
