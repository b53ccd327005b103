// Value axes and units in the browser: a real daemon holding two hours of host-like series in
// bytes, B/s, bit/s, Hz, seconds, % and °C, and a dashboard that charts each. The axes must
// step in round numbers of the unit they show (100 MiB, not 95.37 MiB), give every label the
// same unit, be wide enough for their labels, and the tooltip must read the unit of its axis.
// Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { DESKTOP, OUT, PHONE, launchBrowser, openPage, screenshots } from './browser.mjs';
import { startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const MiB = 1024 * 1024;

let daemon;
let browser;

function lines(nowMs) {
  const out = [];
  const end = Math.floor(nowMs / 10000) * 10000;
  for (let t = end - 2 * 3600 * 1000, i = 0; t <= end; t += 10000, i++) {
    const ns = `${t}000000`;
    const f = (i % 60) / 59;  // a saw tooth 0 → 1 every ten minutes
    out.push(`host/mem.used_bytes ${Math.round((600 + 421 * f) * MiB)}i ${ns}`);
    out.push(`host/net.eth0.rx_bytes_per_s ${(2.5 * MiB * f).toFixed(0)} ${ns}`);
    out.push(`host/net.eth0.link_bits_per_s ${(80e6 + 20e6 * f).toFixed(0)} ${ns}`);
    out.push(`host/cpu.freq_khz ${Math.round(600000 + 900000 * f)}i ${ns}`);
    out.push(`host/probe.latency_s ${(0.002 + 0.028 * f).toFixed(4)} ${ns}`);
    out.push(`host/cpu.busy_pct ${(100 * f).toFixed(1)} ${ns}`);
    out.push(`host/cpu.temp_mdeg ${Math.round(41000 + 30000 * f)}i ${ns}`);
    out.push(`host/net.eth0.rx_bytes ${i * MiB}i ${ns}`);  // a counter: 1 MiB more every 10 s
    out.push(`host/aaa.cpu_busy_pct_backup 1 ${ns}`);  // first in alphabetical order
  }
  return out.join('\n') + '\n';
}

const chart = (title, series) => ({ type: 'line_chart', title, lookback: '2h', interval: '1m',
  series });
const DASHBOARD = {
  title: 'Units',
  default_db: 'host',
  groups: [{ id: 'units', label: 'Units',
    widgets: ['now', 'mem', 'net', 'freq', 'latency', 'busy', 'temp'] }],
  widgets: {
    now: { type: 'numbers', title: 'Now', series: [
      { label: 'Mem used', metric: 'mem.used_bytes', transform: { unit: 'bytes' } },
      { label: 'Received', metric: 'net.eth0.rx_bytes_per_s', transform: { unit: 'B/s' } },
      { label: 'Link', metric: 'net.eth0.link_bits_per_s', transform: { unit: 'bit/s' } },
      { label: 'CPU clock', metric: 'cpu.freq_khz', transform: { factor: 1000, unit: 'Hz' } },
      { label: 'Probe', metric: 'probe.latency_s', transform: { unit: 's' } },
      { label: 'CPU busy', metric: 'cpu.busy_pct', transform: { unit: '%' } },
      { label: 'CPU temp', metric: 'cpu.temp_mdeg', transform: { factor: 0.001, unit: '°C' } },
    ] },
    mem: chart('Memory used', [{ label: 'Used', metric: 'mem.used_bytes', transform: { unit: 'bytes' } }]),
    net: chart('Network', [
      { label: 'Received', metric: 'net.eth0.rx_bytes_per_s', transform: { unit: 'B/s' } },
      { label: 'Link', metric: 'net.eth0.link_bits_per_s', transform: { unit: 'bit/s' } }]),
    freq: chart('CPU clock', [{ label: 'Clock', metric: 'cpu.freq_khz',
      transform: { factor: 1000, unit: 'Hz' } }]),
    latency: chart('Probe latency', [{ label: 'Latency', metric: 'probe.latency_s',
      transform: { unit: 's' } }]),
    busy: chart('CPU busy', [{ label: 'Busy', metric: 'cpu.busy_pct', transform: { unit: '%' } }]),
    temp: chart('CPU temperature', [{ label: 'Temp', metric: 'cpu.temp_mdeg',
      transform: { factor: 0.001, unit: '°C' } }]),
  },
};

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, `${OUT}/nanotdb-units.log`);
  const res = await fetch(`${daemon.base}/api/v1/import`, { method: 'POST', body: lines(Date.now()) });
  assert.equal(res.status, 200, `import failed: ${await res.text()}`);
  const put = await fetch(`${daemon.base}/api/dashboard-config`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DASHBOARD) });
  assert.equal(put.status, 200, `dashboard refused: ${await put.text()}`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
});

// The axes a chart reports once it has drawn its points.
async function axesOf(page, widget) {
  const sel = `[data-widget="${widget}"] .chart-holder`;
  await page.waitForFunction((s) => Number(document.querySelector(s)?.dataset.points) > 0 &&
      document.querySelector(s)?.dataset.axes, sel, { timeout: 10000 });
  return JSON.parse(await page.locator(sel).getAttribute('data-axes'));
}

// "1000 MiB" → {number: 1000, unit: " MiB"}.
function split(label) {
  const m = /^(-?\d+(?:\.\d+)?)(.*)$/.exec(label);
  assert.ok(m, `axis label "${label}" does not start with a number`);
  return { number: Number(m[1]), unit: m[2] };
}

// Labels step evenly by 1, 2, 2.5 or 5 × 10^k of their unit, and all but a zero share a unit.
function assertRoundTicks(labels, unitPattern, what) {
  assert.ok(labels.length >= 3, `${what}: only ${labels.length} labels (${labels.join(', ')})`);
  const parts = labels.map(split);
  const units = new Set(parts.filter((p) => p.number !== 0).map((p) => p.unit));
  assert.equal(units.size, 1, `${what}: labels mix units: ${labels.join(', ')}`);
  assert.match([...units][0], unitPattern, `${what}: ${labels.join(', ')}`);
  const step = parts[1].number - parts[0].number;
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-9),
      `${what}: step ${step} is not round: ${labels.join(', ')}`);
  for (let i = 1; i < parts.length; i++) {
    assert.ok(Math.abs(parts[i].number - parts[i - 1].number - step) < step * 1e-6,
        `${what}: uneven steps: ${labels.join(', ')}`);
  }
  return [...units][0];
}

test('value axes step in round numbers of the unit they show, with room for their labels', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { page, context, problems } = await openPage(browser, daemon.base, viewport, '/');
    const mem = await axesOf(page, 'mem');
    assert.equal(mem.length, 1);
    assertRoundTicks(mem[0].labels, /^ MiB$/, 'memory axis');
    const net = await axesOf(page, 'net');
    assert.deepEqual(net.map((a) => a.side), ['left', 'right'], 'B/s and bit/s get an axis each');
    assertRoundTicks(net[0].labels, /^ (KiB|MiB)\/s$/, 'B/s axis');
    assertRoundTicks(net[1].labels, /^ Mbit\/s$/, 'bit/s axis');
    assertRoundTicks((await axesOf(page, 'freq'))[0].labels, /^ (MHz|GHz)$/, 'Hz axis');
    assertRoundTicks((await axesOf(page, 'latency'))[0].labels, /^ ms$/, 'seconds axis');
    assertRoundTicks((await axesOf(page, 'busy'))[0].labels, /^%$/, '% axis');
    assertRoundTicks((await axesOf(page, 'temp'))[0].labels, /^ °C$/, '°C axis');
    // No label is cut off: each axis is wider than its widest label as the page draws it.
    for (const w of ['mem', 'net', 'freq', 'latency', 'busy', 'temp']) {
      for (const a of await axesOf(page, w)) {
        const need = await page.evaluate((labels) => {
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
          return Math.max(...labels.map((t) => ctx.measureText(t).width));
        }, a.labels);
        assert.ok(a.width >= need + 10, `${w} ${a.side} axis is ${a.width} px for labels ${need} px wide`);
      }
    }
    await context.close();
    assert.deepEqual(problems, []);
  }
});

test('the tooltip reads a value in the unit of its axis', async () => {
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, '/');
  const axis = (await axesOf(page, 'mem'))[0].labels.map(split);
  const over = page.locator('[data-widget="mem"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  const tip = page.locator('[data-widget="mem"] .chart-tip');
  for (const x of [0.1, 0.35, 0.6, 0.9]) {
    await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
    await tip.waitFor({ state: 'visible' });
    const text = await tip.locator('b').first().textContent();
    const { number, unit } = split(text);
    assert.equal(unit, ' MiB', `tooltip "${text}" beside an axis in MiB`);
    assert.ok(number >= 600 && number <= 1021.5, `tooltip "${text}" is off the data (600–1021 MiB)`);
    assert.ok(number >= axis[0].number && number <= axis[axis.length - 1].number,
        `tooltip "${text}" is outside the axis ${axis[0].number}–${axis.at(-1).number} MiB`);
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test('numbers show B, B/s, bit/s, Hz, s, % and °C', async () => {
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, '/');
  const value = (label) => page.locator('[data-widget="now"] .tile', { hasText: label })
      .locator('.tile-value');
  await value('Mem used').filter({ hasText: /MiB$/ }).waitFor({ timeout: 10000 });
  assert.match(await value('Mem used').textContent(), /^\d+(\.\d)? MiB$/);
  assert.match(await value('Received').textContent(), /^\d+(\.\d)? (B|KiB|MiB)\/s$/);
  assert.match(await value('Link').textContent(), /^\d+(\.\d)? Mbit\/s$/);
  assert.match(await value('CPU clock').textContent(), /^\d+(\.\d)? (MHz|GHz)$/);
  assert.match(await value('Probe').textContent(), /^\d+(\.\d)? ms$/);
  assert.match(await value('CPU busy').textContent(), /^\d+(\.\d)?%$/);
  assert.match(await value('CPU temp').textContent(), /^\d+(\.\d)? °C$/);
  await context.close();
  assert.deepEqual(problems, []);
  await screenshots(browser, daemon.base, 'units', '/', (p) => axesOf(p, 'temp'));
});

test('explore gives each unit its own axis and charts a counter as its per-second rate', async () => {
  const url = '/explore?db=host&m=cpu.busy_pct&m=mem.used_bytes&m=net.eth0.rx_bytes&range=1h';
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, url);
  const chart = '#explore-chart';
  const axes = async (n) => {
    await page.waitForFunction(([s, count]) => {
      const c = document.querySelector(s);
      return Number(c?.dataset.points) > 0 && JSON.parse(c.dataset.axes ?? '[]').length === count;
    }, [chart, n], { timeout: 10000 });
    return JSON.parse(await page.locator(chart).getAttribute('data-axes'));
  };
  const three = await axes(3);
  assert.deepEqual(three.map((a) => [a.unit, a.side]),
      [['%', 'left'], ['bytes', 'right'], ['B/s', 'right']]);
  assertRoundTicks(three[0].labels, /^%$/, 'explore % axis');
  assert.ok(split(three[0].labels.at(-1)).number <= 100, `% axis ${three[0].labels.join(', ')}`);
  assertRoundTicks(three[1].labels, /^ MiB$/, 'explore bytes axis');
  assertRoundTicks(three[2].labels, /^ KiB\/s$/, 'explore rate axis');
  // 1 MiB more every 10 s: 102.4 KiB/s.
  const card = page.locator('.cards .tile', { hasText: 'rate(net.eth0.rx_bytes)' });
  assert.equal((await card.locator('.tile-value').textContent()).trim(), '102.4 KiB/s');
  assert.deepEqual(new URL(page.url()).searchParams.getAll('rate'), ['net.eth0.rx_bytes']);
  await page.screenshot({ path: `${OUT}/explore-units-desktop.png`, fullPage: true });
  // The raw counter is bytes, on the axis of mem.used_bytes.
  await page.getByRole('button', { name: 'Rate of net.eth0.rx_bytes' }).click();
  const two = await axes(2);
  assert.deepEqual(two.map((a) => a.unit), ['%', 'bytes']);
  assert.deepEqual(new URL(page.url()).searchParams.getAll('rate'), ['']);
  await context.close();
  assert.deepEqual(problems, []);
  await screenshots(browser, daemon.base, 'explore-units', url, async (p) => {
    await p.waitForFunction((s) => JSON.parse(document.querySelector(s)?.dataset.axes ?? '[]').length === 3, chart);
  });
});

test('explore search is wide and Enter adds the best match, not the alphabetically first', async () => {
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, '/explore?db=host');
  const box = await page.locator('#metric-search').boundingBox();
  assert.ok(box.width >= 400, `the search box is ${box.width} px wide at 1440 px`);
  await page.fill('#metric-search', 'cpu');
  await page.locator('#metric-list li[role=option]').first().waitFor();
  const listed = await page.locator('#metric-list li[role=option]').allTextContents();
  assert.equal(listed[0], 'cpu.busy_pct', listed.join(', '));
  assert.ok(listed.includes('aaa.cpu_busy_pct_backup'), listed.join(', '));
  await page.keyboard.press('Enter');
  await page.locator('.chip', { hasText: 'cpu.busy_pct' }).waitFor();
  assert.deepEqual(new URL(page.url()).searchParams.getAll('m'), ['cpu.busy_pct']);
  await context.close();
  assert.deepEqual(problems, []);
});
