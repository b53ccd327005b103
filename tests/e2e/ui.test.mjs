// Browser tests of the web UI against a real daemon with ingested data (node --test; driven by
// tests/e2e/run BUILD). Chromium is Debian's /usr/bin/chromium through playwright-core.
// Screenshots (phone 390×844, desktop 1440×900) go to test-output/e2e/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { DESKTOP, OUT, PHONE, launchBrowser, openPage, screenshots } from './browser.mjs';
import { labelledLines, sampleLines, startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const PAGES = [['dashboard', '/'], ['explore', '/explore?db=metrics&m=cpu.busy_pct&m=sys.load1&range=6h'],
  ['editor', '/dashboard/edit'], ['engine', '/engine'], ['api-tester', '/api-tester']];

let daemon;
let browser;
const contexts = new Set();  // closed after each test, even a failed one

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb.log'));
  const res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: sampleLines(),
    headers: { 'Content-Type': 'text/plain' } });
  assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  const lab = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: labelledLines(),
    headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  assert.equal(lab.status, 200, `import of labelled series failed: ${await lab.text()}`);
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

// A page that records console errors, uncaught exceptions and requests to other hosts.
async function open(viewport, url) {
  const opened = await openPage(browser, daemon.base, viewport, url);
  contexts.add(opened.context);
  return opened;
}

for (const [name, url] of PAGES) {
  test(`${name} page loads on phone and desktop without errors or foreign requests`, async () => {
    for (const [device, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const { page, context, problems } = await open(viewport, url);
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(OUT, `${name}-${device}.png`), fullPage: true });
      if (device === 'phone') {
        await page.setViewportSize({ width: 360, height: 740 });
        await page.waitForTimeout(300);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 361, `${name} scrolls horizontally at 360 px (${width} px wide)`);
      }
      await context.close();
      assert.deepEqual(problems, [], `${name} on ${device}`);
    }
  });
}

test('dashboard shows ingested values with units and threshold colours', async () => {
  const { page, context, problems } = await open(DESKTOP, '/');
  const busy = page.locator('[data-widget="system_snapshot"] .tile', { hasText: 'CPU busy' });
  await busy.locator('.tile-value', { hasText: '12.5%' }).waitFor({ timeout: 10000 });
  const temp = page.locator('[data-widget="system_snapshot"] .tile', { hasText: 'CPU temp' });
  assert.equal(await temp.getAttribute('data-severity'), 'critical');
  assert.equal((await temp.locator('.tile-value').textContent()).trim(), '85 °C');
  const mem = page.locator('[data-widget="system_snapshot"] .tile', { hasText: 'Mem available' });
  assert.equal((await mem.locator('.tile-value').textContent()).trim(), '1 GiB');
  const up = page.locator('[data-widget="system_snapshot"] .tile', { hasText: 'Uptime' });
  assert.equal((await up.locator('.tile-value').textContent()).trim(), '1d 1h 1m');
  // Host probes are off in this daemon: a widget with no data at all says so in one line.
  await page.getByRole('tab', { name: 'Storage' }).click();
  await page.locator('[data-widget="storage_snapshot"] .nodata-note',
      { hasText: 'diskfs.root.used_pct in metrics' }).waitFor();
  assert.match(page.url(), /group=storage/);
  await context.close();
  assert.deepEqual(problems, []);
});

// The cards of the visible group, as rows of {left, right} boxes, and the group's width.
async function cardRows(page) {
  return page.evaluate(() => {
    const body = document.querySelector('.group.active > .group-body');
    const box = body.getBoundingClientRect();
    const rows = new Map();
    for (const c of body.querySelectorAll(':scope > .card')) {
      const r = c.getBoundingClientRect();
      const key = Math.round(r.top);
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push({ left: r.left - box.left, right: r.right - box.left, id: c.dataset.widget });
    }
    return { width: box.width, rows: [...rows.values()] };
  });
}

test('the dashboard fills a wide screen: no row of cards ends in an empty column', async () => {
  const { page, context, problems } = await open(DESKTOP, '/');
  await page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  for (const group of ['Overview', 'Storage', 'NanoTDB']) {
    await page.getByRole('tab', { name: group }).click();
    const { width, rows } = await cardRows(page);
    assert.ok(width > 1350, `${group}: the group is ${width} px wide on a 1440 px screen`);
    for (const row of rows) {
      const right = Math.max(...row.map((c) => c.right));
      const left = Math.min(...row.map((c) => c.left));
      const ids = row.map((c) => c.id).join(', ');
      assert.ok(left < 2 && right > width - 2,
          `${group}: row ${ids} covers ${Math.round(left)}–${Math.round(right)} of ${Math.round(width)} px`);
    }
  }
  await page.getByRole('tab', { name: 'Overview' }).click();
  await page.screenshot({ path: path.join(OUT, 'dashboard-wide-desktop.png'), fullPage: true });
  await context.close();
  assert.deepEqual(problems, []);
  // A phone shows one card per row, each the full width.
  const phone = await open(PHONE, '/');
  await phone.page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  const cards = await phone.page.evaluate(() => [...document.querySelectorAll('.group.open .card')]
      .map((c) => Math.round(c.getBoundingClientRect().width)));
  assert.ok(cards.length >= 4 && cards.every((w) => w >= 360), `phone card widths ${cards.join(', ')}`);
  await phone.context.close();
  assert.deepEqual(phone.problems, []);
});

test('a dashboard chart draws the ingested points', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  const chart = page.locator('[data-widget="load_history"] .chart-holder');
  await page.waitForFunction(() => Number(document.querySelector('[data-widget="load_history"] .chart-holder')?.dataset.points) > 100,
      null, { timeout: 10000 });
  assert.ok(Number(await chart.getAttribute('data-points')) > 100);
  const band = page.locator('[data-widget="cpu_busy"] .chart-holder');
  await page.waitForFunction(() => Number(document.querySelector('[data-widget="cpu_busy"] .chart-holder')?.dataset.points) > 0,
      null, { timeout: 10000 });
  assert.ok(Number(await band.getAttribute('data-points')) > 0);
  const over = page.locator('[data-widget="load_history"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  // The default range is 1 h and the data end now: 90 % of the width is over data.
  const tip = page.locator('[data-widget="load_history"] .chart-tip');
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.textContent(), /Load 1m: /);
  await context.close();
  assert.deepEqual(problems, []);
});

test('a range picked while a refresh runs is the one drawn and named in the footer', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  const holder = '[data-widget="load_history"] .chart-holder';
  await page.waitForFunction((s) => Number(document.querySelector(s)?.dataset.points) > 0, holder);
  // Hold the 7-day answers back, so 1h is picked while they run.
  let held = 0;
  await page.route('**/api/v1/query_range?*', async (route) => {
    const u = new URL(route.request().url());
    if (Number(u.searchParams.get('end')) - Number(u.searchParams.get('start')) > 5 * 86400) {
      held++;
      await new Promise((r) => setTimeout(r, 1500));
    }
    await route.continue();
  });
  await page.selectOption('#range', '7d');
  for (let i = 0; i < 100 && !held; i++) await page.waitForTimeout(20);
  assert.ok(held > 0, 'the 7d refresh was not sent');
  await page.selectOption('#range', '1h');
  await page.waitForTimeout(2500);  // every held 7d answer has arrived by now
  for (const widget of ['load_history', 'cpu_busy']) {
    const foot = await page.locator(`[data-widget="${widget}"] .card-foot`).textContent();
    assert.match(foot, / · 1h · step/, `${widget} footer`);
    const c = page.locator(`[data-widget="${widget}"] .chart-holder`);
    const span = Number(await c.getAttribute('data-to')) - Number(await c.getAttribute('data-from'));
    assert.ok(Math.abs(span - 3600) < 120, `${widget} draws ${span} s while the range is 1h`);
  }
  assert.match(page.url(), /range=1h/);
  await context.close();
  assert.deepEqual(problems, []);
});

// The colour of the most opaque pixel of the left axis labels of a chart's canvas, and the
// page's --muted colour, both as [r, g, b].
async function axisColour(page, widget) {
  return page.evaluate((w) => {
    const holder = document.querySelector(`[data-widget="${w}"] .chart-holder`);
    const canvas = holder.querySelector('canvas');
    const width = JSON.parse(holder.dataset.axes)[0].width * devicePixelRatio;
    const px = canvas.getContext('2d').getImageData(0, 0, width - 12, canvas.height).data;
    let best = [0, 0, 0, 0];
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > best[3]) best = px.slice(i, i + 4);
    const probe = document.createElement('span');
    probe.style.color = 'var(--muted)';
    document.body.append(probe);
    const muted = getComputedStyle(probe).color.match(/\d+/g).slice(0, 3).map(Number);
    probe.remove();
    return { axis: [...best.slice(0, 3)], muted };
  }, widget);
}

test('the theme button re-colours the axes of charts already drawn', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  const holder = '[data-widget="load_history"] .chart-holder';
  await page.waitForFunction((s) => Number(document.querySelector(s)?.dataset.points) > 0, holder);
  const near = (a, b) => a.every((x, i) => Math.abs(x - b[i]) <= 24);
  const light = await axisColour(page, 'load_history');
  assert.ok(near(light.axis, light.muted), `light: axis ${light.axis}, --muted ${light.muted}`);
  await page.locator('#top .theme').click();  // auto → dark
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.waitForTimeout(200);
  const dark = await axisColour(page, 'load_history');
  assert.ok(!near(dark.muted, light.muted), 'the themes share a --muted colour');
  assert.ok(near(dark.axis, dark.muted), `dark: axis ${dark.axis}, --muted ${dark.muted}`);
  await context.close();
  assert.deepEqual(problems, []);
});

// The time span a dashboard chart draws, in seconds.
async function drawnSpan(page, widget) {
  const c = page.locator(`[data-widget="${widget}"] .chart-holder`);
  return Number(await c.getAttribute('data-to')) - Number(await c.getAttribute('data-from'));
}

async function waitForSpan(page, widget, seconds) {
  await page.waitForFunction(([w, s]) => {
    const c = document.querySelector(`[data-widget="${w}"] .chart-holder`);
    return c && Math.abs(Number(c.dataset.to) - Number(c.dataset.from) - s) < Math.max(60, s * 0.01);
  }, [widget, seconds], { timeout: 10000 });
}

test('5m and 1y presets and an absolute from/to apply to every chart and stay in the URL', async () => {
  const { page, context, problems } = await open(DESKTOP, '/');
  await page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  const labels = await page.locator('#range option').allTextContents();
  assert.equal(labels[1], 'Last 5m', labels.join(', '));
  assert.ok(labels.includes('Last 1y'), labels.join(', '));
  await page.selectOption('#range', '5m');
  await waitForSpan(page, 'load_history', 300);
  await waitForSpan(page, 'cpu_busy', 300);
  assert.match(page.url(), /range=5m/);
  await page.selectOption('#range', { label: 'Last 1y' });
  await waitForSpan(page, 'load_history', 365 * 86400);
  assert.match(page.url(), /range=365d/);
  // From 3 h ago to 2 h ago, to the minute.
  const local = (ms) => {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  };
  const from = Math.floor((Date.now() - 3 * 3600e3) / 60000) * 60000;
  await page.getByText('From – to').click();
  await page.fill('#range-from', local(from));
  await page.fill('#range-to', local(from + 3600e3));
  await page.getByRole('button', { name: 'Apply' }).click();
  await waitForSpan(page, 'load_history', 3600);
  const url = new URL(page.url());
  assert.equal(Number(url.searchParams.get('from')), from / 1000);
  assert.equal(Number(url.searchParams.get('to')), from / 1000 + 3600);
  assert.equal(Number(await page.locator('[data-widget="load_history"] .chart-holder').getAttribute('data-from')), from / 1000);
  // A backwards range is refused with a message and changes nothing.
  await page.fill('#range-to', local(from - 3600e3));
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.locator('[role=alert]', { hasText: 'To must be after From' }).waitFor();
  assert.equal(await drawnSpan(page, 'load_history'), 3600);
  await context.close();
  assert.deepEqual(problems, []);
});

test('the refresh choice sets how often every widget refreshes, off included', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  await page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  let asked = 0;
  page.on('request', (r) => { if (r.url().includes('query=sys.load1')) asked++; });
  await page.selectOption('#refresh', '5');
  assert.match(page.url(), /refresh=5/);
  asked = 0;
  await page.waitForTimeout(11000);
  // load_history's own refresh_sec is 15: two polls in 11 s are the page's 5 s.
  assert.ok(asked >= 2, `${asked} refreshes of load_history in 11 s at 5 s`);
  await page.selectOption('#refresh', 'off');
  assert.match(page.url(), /refresh=off/);
  asked = 0;
  await page.waitForTimeout(6000);
  assert.equal(asked, 0, 'widgets refreshed with auto-refresh off');
  await page.reload({ waitUntil: 'networkidle' });
  assert.equal(await page.locator('#refresh').inputValue(), 'off');
  await context.close();
  assert.deepEqual(problems, []);
});

test('kiosk mode shows the cards without header or toolbar', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?kiosk=1&range=6h');
  await page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  assert.equal(await page.locator('#top').isVisible(), false);
  assert.equal(await page.locator('#main > .toolbar').isVisible(), false);
  await page.getByRole('tab', { name: 'Overview' }).waitFor();
  const top = await page.locator('.group.active .card').first().evaluate((c) => c.getBoundingClientRect().top);
  assert.ok(top < 80, `the first card starts at ${top} px`);
  await context.close();
  assert.deepEqual(problems, []);
  await screenshots(browser, daemon.base, 'kiosk', '/?kiosk=1&range=6h',
      (p) => p.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor());
});

test('chart legends list last, min, max and average, and a click hides a series', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  await page.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  const legend = page.locator('[data-widget="load_history"] .chart-legend');
  assert.deepEqual(await legend.locator('thead th').allTextContents(), ['Series', 'Last', 'Min', 'Max', 'Avg']);
  const row = (label) => legend.locator('tbody tr', { hasText: label });
  const cells = async (label) => row(label).locator('td').allTextContents();
  // sys.load5 is 0.4 throughout; sys.load1 swings between 0.3 and 0.7.
  assert.deepEqual(await cells('Load 5m'), ['0.4', '0.4', '0.4', '0.4']);
  const [last, min, max, avg] = (await cells('Load 1m')).map(Number);
  assert.ok(min >= 0.29 && min < 0.35 && max > 0.65 && max <= 0.71 && avg > min && avg < max && last >= min,
      `Load 1m: last ${last}, min ${min}, max ${max}, avg ${avg}`);
  // The CPU band's legend is in %.
  const band = page.locator('[data-widget="cpu_busy"] .chart-legend tbody tr', { hasText: 'CPU busy max' });
  assert.match((await band.locator('td').first().textContent()), /%$/);
  await row('Load 15m').getByRole('button').click();
  assert.equal(await row('Load 15m').getByRole('button').getAttribute('aria-pressed'), 'false');
  assert.match(await row('Load 15m').getAttribute('class'), /off/);
  await context.close();
  assert.deepEqual(problems, []);
});

test('the crosshair moves on every chart of the page; the tooltip only on the one pointed at', async () => {
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  for (const w of ['load_history', 'memory_history']) {
    await page.locator(`[data-widget="${w}"] .chart-holder[data-points]`).waitFor();
  }
  const over = page.locator('[data-widget="load_history"] .u-over');
  await over.scrollIntoViewIfNeeded();
  // The scroll event (which hides tooltips) is dispatched at the next frame: let it pass
  // before pointing, or it hides the tooltip the move has just shown.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-widget="memory_history"] .chart-holder')?.dataset.cursor);
  const at = async (w) => Number(await page.locator(`[data-widget="${w}"] .chart-holder`).getAttribute('data-cursor'));
  const a = await at('load_history');
  const b = await at('memory_history');
  // Both charts show 6 h over about the same width: within a few pixels' worth of time.
  assert.ok(Math.abs(a - b) < 21600 / box.width * 5, `crosshairs at ${a} and ${b}`);
  await page.locator('[data-widget="load_history"] .chart-tip').waitFor({ state: 'visible', timeout: 2000 });
  assert.equal(await page.locator('[data-widget="memory_history"] .chart-tip').isVisible(), false);
  await context.close();
  assert.deepEqual(problems, []);
});

// Resolves once the page has seen a scroll event after scrolling by `dy` (Chromium delivers
// it at the next frame, after input that came in between).
const scrollBy = (page, dy) => page.evaluate((d) => new Promise((resolve) => {
  window.addEventListener('scroll', () => requestAnimationFrame(() => resolve(scrollY)), { once: true });
  window.scrollBy(0, d);
}), dy);

test('a page scroll keeps the tooltip of the mouse on a chart and hides the one of a finger', async () => {
  // The cause of a flaky crosshair test: the scroll event of scrolling a chart into view came
  // after the mouse moved onto it, and hid its tooltip.
  const { page, context, problems } = await open(DESKTOP, '/?range=6h');
  const holder = page.locator('[data-widget="load_history"] .chart-holder[data-points]');
  await holder.waitFor();
  await page.locator('[data-widget="load_history"] .u-over').scrollIntoViewIfNeeded();
  await scrollBy(page, -40);
  const box = await page.locator('[data-widget="load_history"] .u-over').boundingBox();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  const tip = page.locator('[data-widget="load_history"] .chart-tip');
  await tip.waitFor({ state: 'visible' });
  await scrollBy(page, 20);
  assert.equal(await tip.isVisible(), true, 'a scroll hid the tooltip of the mouse on the chart');
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: 'hidden' });
  await context.close();

  const phone = await open(PHONE, '/?range=6h');
  const ph = phone.page;
  await ph.locator('[data-widget="load_history"] .chart-holder[data-points]').waitFor();
  const over = ph.locator('[data-widget="load_history"] .u-over');
  await over.scrollIntoViewIfNeeded();
  await scrollBy(ph, -40);
  const pbox = await over.boundingBox();
  await ph.touchscreen.tap(pbox.x + pbox.width * 0.8, pbox.y + pbox.height / 2);
  const ptip = ph.locator('[data-widget="load_history"] .chart-tip');
  await ptip.waitFor({ state: 'visible' });
  await scrollBy(ph, 20);
  assert.equal(await ptip.isVisible(), false, 'the tooltip of a tap stayed through a scroll');
  await phone.context.close();
  assert.deepEqual([...problems, ...phone.problems], []);
});

test('explore charts the selected metrics and shows their last values', async () => {
  const { page, context, problems } = await open(DESKTOP, PAGES[1][1]);
  await page.locator('.cards .tile', { hasText: 'cpu.busy_pct' }).locator('.tile-value', { hasText: '12.5' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('#explore-chart')?.dataset.points) > 0);
  await page.fill('#metric-search', 'load5');
  await page.keyboard.press('Enter');
  await page.locator('.chip', { hasText: 'sys.load5' }).waitFor();
  assert.match(page.url(), /m=sys.load5/);
  await context.close();
  assert.deepEqual(problems, []);
});

const POWER = 'power_watts{circuit="kitchen/oven",note="café ☕"}';
const TEMP = 'temp-°C{room="living room"}';

test('explore lists labelled series of another database, charts them and keeps them in the URL', async () => {
  const { page, context, problems } = await open(DESKTOP, '/explore?range=6h');
  await page.selectOption('#db', 'lab');
  await page.fill('#metric-search', 'oven');
  await page.locator('#metric-list li', { hasText: POWER }).waitFor();
  assert.equal(await page.locator('#metric-list li[role=option]').count(), 1);
  await page.keyboard.press('Enter');
  await page.fill('#metric-search', 'living');
  await page.locator('#metric-list li', { hasText: TEMP }).click();
  await page.locator('.chip', { hasText: POWER }).waitFor();
  await page.locator('.chip', { hasText: TEMP }).waitFor();
  await page.locator('.cards .tile', { hasText: POWER }).locator('.tile-value', { hasText: '1234.5' }).waitFor();
  await page.locator('.cards .tile', { hasText: TEMP }).locator('.tile-value', { hasText: '21.5' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('#explore-chart')?.dataset.points) > 100);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('db'), 'lab');
  assert.deepEqual(url.searchParams.getAll('m'), [POWER, TEMP]);
  // The shared URL opens the same view.
  await page.goto(url.href, { waitUntil: 'networkidle' });
  await page.locator('.cards .tile', { hasText: TEMP }).locator('.tile-value', { hasText: '21.5' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('#explore-chart')?.dataset.points) > 100);
  await page.screenshot({ path: path.join(OUT, 'explore-labelled-desktop.png'), fullPage: true });
  await context.close();
  assert.deepEqual(problems, []);
});

test('editor suggests the metrics of the database typed for a series and previews one', async () => {
  const { page, context, problems } = await open(DESKTOP, '/dashboard/edit');
  await page.getByRole('button', { name: /^Load average/ }).first().click();
  const options = () => page.locator('#metrics-0 option').evaluateAll((os) => os.map((o) => o.value));
  await page.waitForFunction(() => document.querySelectorAll('#metrics-0 option').length > 0);
  assert.ok((await options()).includes('sys.load1'), (await options()).join(', '));
  await page.getByLabel('Series 1 database').fill('lab');
  await page.waitForFunction(
      (want) => [...document.querySelectorAll('#metrics-0 option')].some((o) => o.value === want), POWER);
  assert.deepEqual((await options()).sort(), [POWER, TEMP].sort());
  await page.getByLabel('Series 1 metric').fill(TEMP);
  await page.waitForFunction(() => [...document.querySelectorAll('.preview .chart-holder')]
      .some((c) => Number(c.dataset.points) > 0), null, { timeout: 10000 });
  await context.close();
  assert.deepEqual(problems, []);
});

test('editor changes a widget, saves, and the change survives a reload', async () => {
  const { page, context, problems } = await open(DESKTOP, '/dashboard/edit');
  await page.getByRole('button', { name: /^System/ }).first().click();
  await page.getByLabel('Widget title').fill('System E2E');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  // --init wrote the default dashboard.json, the first start moved it into the plugin's files,
  // so this save keeps it as a backup there.
  await page.locator('#editor-message', { hasText: "in the plugin's backups/ directory" }).waitFor();
  assert.equal(fs.existsSync(path.join(daemon.root, 'dashboard.json')), false);
  const backups = fs.readdirSync(path.join(daemon.root, '.plugins', 'ui-dashboard', 'backups'));
  assert.equal(backups.length, 1);
  assert.match(backups[0], /^dashboard\.\d{8}T\d{6}\.\d{9}Z\.json$/);
  await page.reload({ waitUntil: 'networkidle' });
  await page.getByRole('button', { name: /^System E2E/ }).first().click();
  assert.equal(await page.getByLabel('Widget title').inputValue(), 'System E2E');
  const dash = await (await fetch(`${daemon.base}/api/dashboard-config`)).json();
  assert.equal(dash.widgets.system_snapshot.title, 'System E2E');
  await context.close();
  assert.deepEqual(problems, []);
  // One browser context at a time: each holds up to six keep-alive connections, and the
  // daemon serves a connection per worker thread ([http] max_threads = 8).
  const shown = await open(DESKTOP, '/');
  await shown.page.locator('[data-widget="system_snapshot"] h3', { hasText: 'System E2E' }).waitFor();
  await shown.context.close();
  assert.deepEqual(shown.problems, []);
});

test('a bad dashboard is refused with its messages and nothing is saved', async () => {
  const { page, context, problems } = await open(DESKTOP, '/dashboard/edit');
  const before = await (await fetch(`${daemon.base}/api/dashboard-config`)).text();
  await page.getByRole('button', { name: /^Load average/ }).first().click();
  await page.getByLabel('Lookback').fill('1h30m');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#editor-message li', { hasText: 'widget "load_history": has invalid lookback "1h30m"' }).waitFor();
  assert.equal(await (await fetch(`${daemon.base}/api/dashboard-config`)).text(), before);
  const res = await fetch(`${daemon.base}/api/dashboard-config`, { method: 'PUT',
    body: JSON.stringify({ title: '', groups: [{ id: 'g', widgets: ['nope'] }], widgets: {} }) });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.ok, false);
  assert.ok(body.errors.some((e) => e.includes('"title" is required')), body.errors.join('\n'));
  assert.ok(body.errors.some((e) => e.includes('refers to widget "nope"')), body.errors.join('\n'));
  await context.close();
  // The refused save is a 400 answer, which Chromium logs as a failed resource load.
  assert.deepEqual(problems.filter((p) => !p.includes('status of 400')), []);
});

test('the inspector previews the first and last samples of a database\'s WAL', async () => {
  const { page, context, problems } = await open(DESKTOP, '/engine#tab=database&db=metrics');
  const preview = page.locator('#wal-preview');
  await preview.locator('h3', { hasText: 'First 12 samples' }).waitFor();
  const rows = preview.locator('table').first().locator('tbody tr');
  assert.equal(await rows.count(), 12);
  const names = ['cpu.busy_pct', 'sys.load1', 'sys.load5', 'sys.load15', 'mem.available',
    'cpu.temp_mdeg', 'sys.uptime_sec'];
  for (let i = 0; i < 12; i++) {
    const [record, metric, time, type, value] = await rows.nth(i).locator('td').allTextContents();
    assert.match(record, /^\d+$/);
    assert.ok(names.includes(metric), `row ${i}: ${metric}`);
    assert.match(time, /\d\d:\d\d:\d\d/);
    // mem.available was written as 1048576i: an int64, shown exactly.
    if (metric === 'mem.available') assert.deepEqual([type, value], ['int64', '1048576']);
    else assert.match(type, /^(int64|float64)$/);
  }
  await preview.locator('h3', { hasText: /^Last 12 samples \([\d,]+ between not shown\)$/ }).waitFor();
  assert.equal(await preview.locator('table').nth(1).locator('tbody tr').count(), 12);
  await context.close();
  assert.deepEqual(problems, []);
  await screenshots(browser, daemon.base, 'engine-wal', '/engine#tab=database&db=metrics',
      (p) => p.locator('#wal-preview h3').first().waitFor());
});

test('engine inspector lists databases, files and runtime', async () => {
  const { page, context, problems } = await open(DESKTOP, '/engine');
  await page.locator('table a', { hasText: 'metrics' }).waitFor();
  await page.locator('table a', { hasText: 'metrics' }).click();
  // The metric list (the WAL preview above names metrics too).
  await page.locator('section', { has: page.locator('h2', { hasText: /^Metrics \(/ }) })
      .locator('td', { hasText: 'cpu.busy_pct' }).waitFor();
  await page.getByRole('tab', { name: 'Runtime' }).click();
  await page.locator('td', { hasText: 'ui-dashboard' }).first().waitFor();
  // Plugins' own figures (StatsService), here forward-remote-write's endpoint "e2e".
  await page.locator('h2', { hasText: 'forward-remote-write: own figures' }).waitFor();
  const row = page.locator('tr', { hasText: 'nanotdb.forward.series' });
  assert.match(await row.innerText(), /endpoint=e2e\s+0\s/);
  await page.screenshot({ path: path.join(OUT, 'engine-runtime-desktop.png'), fullPage: true });
  await context.close();
  assert.deepEqual(problems, []);
});
