// The built-in dashboard on a fresh box: a real daemon with the host probes on (drip-sources
// defaults, every second) and nothing else written. The dashboard must show only what this
// host has — no tile left at "—" for a sensor the host lacks or a probe that is off — and
// draw the memory, network and disk IO history the probes collect. Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { DESKTOP, OUT, launchBrowser, openPage, screenshots } from './browser.mjs';
import { startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';

let daemon;
let browser;
let names = [];

async function metricNames() {
  const res = await fetch(`${daemon.base}/api/v1/metrics?db=metrics`);
  return res.ok ? (await res.json()).data.result : [];
}

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, `${OUT}/nanotdb-fresh.log`, { probes: true });
  // Rates (kB/s) need two cycles; wait for the third.
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    names = await metricNames();
    if (names.some((n) => n.endsWith('.rx_kbps')) && names.some((n) => n.endsWith('.read_kbps'))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1500));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
});

const points = (page, widget) => page.waitForFunction((w) =>
  Number(document.querySelector(`[data-widget="${w}"] .chart-holder`)?.dataset.points) > 0, widget,
{ timeout: 15000 });

test('the built-in dashboard shows no tile for what this host does not collect', async () => {
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, '/');
  await page.locator('[data-widget="system_snapshot"] .tile', { hasText: 'CPU busy' }).waitFor();
  const hasTemp = names.includes('cpu.temp_mdeg');
  for (const group of ['Overview', 'Storage', 'NanoTDB']) {
    await page.getByRole('tab', { name: group }).click();
    await page.locator('.group.active .card .tile').first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.group.active .card-foot')]
        .every((f) => !f.textContent.startsWith('loading')));
    const empty = await page.locator('.group.active .tile-empty').allTextContents();
    assert.deepEqual(empty, [], `${group}: tiles without a value`);
    assert.equal(await page.locator('.group.active .tile-value', { hasText: '—' }).count(), 0);
  }
  // This machine's own gaps are named in the footer instead (the SD probe is off by default).
  await page.getByRole('tab', { name: 'Storage' }).click();
  await page.locator('[data-widget="storage_snapshot"] .card-foot',
      { hasText: 'not collected here: SD write probe' }).waitFor();
  await page.getByRole('tab', { name: 'Overview' }).click();
  const foot = await page.locator('[data-widget="system_snapshot"] .card-foot').textContent();
  assert.equal(foot.includes('CPU temp'), !hasTemp, `footer "${foot}", cpu.temp_mdeg collected: ${hasTemp}`);
  await context.close();
  assert.deepEqual(problems, []);
});

test('the built-in dashboard draws memory, network and disk IO history per interface and device', async () => {
  const { page, context, problems } = await openPage(browser, daemon.base, DESKTOP, '/');
  const ifaces = names.filter((n) => /^net\..*\.rx_kbps$/.test(n)).map((n) => n.split('.')[1]);
  const disks = names.filter((n) => /^disk\..*\.read_kbps$/.test(n)).map((n) => n.split('.')[1]);
  assert.ok(ifaces.length > 0 && disks.length > 0, `probes gave no rates: ${names.join(', ')}`);
  await points(page, 'memory_history');
  await points(page, 'network_history');
  const legend = await page.locator('[data-widget="network_history"] .chart-legend').textContent();
  for (const i of ifaces) {
    assert.ok(legend.includes(`Received ${i}`) && legend.includes(`Sent ${i}`), legend);
  }
  const net = JSON.parse(await page.locator('[data-widget="network_history"] .chart-holder').getAttribute('data-axes'));
  assert.match(net[0].labels.at(-1), /B\/s$/);
  await page.getByRole('tab', { name: 'Storage' }).click();
  await points(page, 'disk_io_history');
  const disk = await page.locator('[data-widget="disk_io_history"] .chart-legend').textContent();
  for (const d of disks) assert.ok(disk.includes(`Read ${d}`) && disk.includes(`Write ${d}`), disk);
  await context.close();
  assert.deepEqual(problems, []);
  await screenshots(browser, daemon.base, 'fresh', '/', (p) => points(p, 'network_history'));
  await screenshots(browser, daemon.base, 'fresh-storage', '/?group=storage',
      (p) => p.waitForFunction(() => [...document.querySelectorAll('.group.open .chart-holder, .group.active .chart-holder')]
          .some((c) => Number(c.dataset.points) > 0), null, { timeout: 15000 }));
});
