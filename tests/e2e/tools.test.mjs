// The editor's JSON import and the API tester, in the browser against a real daemon: an import
// refused with the place or the rule it breaks, an import that saves and keeps the previous
// dashboard as a backup; endpoints picked, filled, sent (GET and POST with a body) and read back
// with status, headers and indented JSON.
// Run by tests/e2e/run BUILD.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { DESKTOP, OUT, PHONE, launchBrowser, openPage, screenshots } from './browser.mjs';
import { sampleLines, startDaemon } from './daemon.mjs';

const BUILD = process.env.NANOTDB_BUILD || 'build';
const FAILED_400 = 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';

let daemon;
let browser;
const contexts = new Set();

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  daemon = await startDaemon(BUILD, path.join(OUT, 'nanotdb-tools.log'));
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

const IMPORTED = {
  title: 'Imported',
  groups: [{ id: 'pi', label: 'Pi', widgets: ['cpu'] }],
  widgets: { cpu: { type: 'number', title: 'CPU now', series: [{ metric: 'cpu.busy_pct', transform: { unit: '%' } }] } },
};

test('the editor imports a dashboard JSON once it is valid, keeping the previous one as a backup', async () => {
  const before = await (await fetch(`${daemon.base}/api/dashboard-config`)).text();
  const { page, problems } = await open(DESKTOP, '/dashboard/edit');
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.locator('#import-dialog');
  const error = dialog.locator('#import-error');
  const importIt = () => dialog.getByRole('button', { name: 'Import and save' }).click();
  // Broken JSON: where it breaks.
  await dialog.getByLabel('Dashboard JSON to import').fill('{"title": "T",\n  "groups" []}');
  await importIt();
  await error.waitFor();
  assert.match(await error.textContent(), /^not JSON: line 2, column 12: /);
  // JSON, not a dashboard.
  await dialog.getByLabel('Dashboard JSON to import').fill('[1, 2]');
  await importIt();
  await error.locator('div', { hasText: 'not a dashboard: the JSON is an array' }).waitFor();
  // A dashboard breaking the editor's rules: each problem by widget and field.
  const bad = structuredClone(IMPORTED);
  bad.widgets.cpu.type = 'pie';
  await dialog.getByLabel('Dashboard JSON to import').fill(JSON.stringify(bad));
  await importIt();
  await error.locator('li', { hasText: 'widget "cpu": has unsupported type "pie"' }).waitFor();
  // One only the server catches (an unknown field): its message.
  const odd = structuredClone(IMPORTED);
  odd.widgets.cpu.series[0].colour = 'red';
  await dialog.getByLabel('Dashboard JSON to import').fill(JSON.stringify(odd));
  await importIt();
  await error.locator('li', { hasText: 'unknown field "colour"' }).waitFor();
  assert.equal(await (await fetch(`${daemon.base}/api/dashboard-config`)).text(), before, 'a refused import changed the dashboard');
  await page.screenshot({ path: path.join(OUT, 'editor-import-desktop.png'), fullPage: true });
  // A file: imported and saved, the previous dashboard kept as a backup.
  await dialog.locator('#import-file').setInputFiles({ name: 'pi.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(IMPORTED, null, 2)) });
  await page.waitForFunction(() => document.querySelector('#import-text').value.includes('"Imported"'));
  await importIt();
  const msg = page.locator('#editor-message', { hasText: 'Imported and saved. The previous dashboard is kept as' });
  await msg.waitFor();
  assert.equal(await dialog.isVisible(), false);
  const backup = /kept as (\S+) in/.exec(await msg.textContent())[1];
  const dir = path.join(daemon.root, '.plugins', 'ui-dashboard', 'backups');
  assert.equal(fs.readFileSync(path.join(dir, backup), 'utf8'), before);
  const now = await (await fetch(`${daemon.base}/api/dashboard-config`)).json();
  assert.equal(now.title, 'Imported');
  assert.equal(await page.getByLabel('Dashboard title').inputValue(), 'Imported');
  await page.getByRole('button', { name: /^Pi/ }).waitFor();
  // Three refused validations (client refusals send nothing): one 400 from the server.
  assert.deepEqual(problems, [FAILED_400]);
});

test('the API tester sends a GET with its parameters and shows status, headers and indented JSON', async () => {
  const { page, problems } = await open(DESKTOP, '/api-tester');
  await page.locator('.endpoint-list button[data-id="query"]').click();
  await page.getByLabel('query', { exact: true }).fill('metrics/cpu.busy_pct');
  await page.getByRole('button', { name: 'Send' }).click();
  const status = page.locator('#tester-status');
  await status.locator('strong', { hasText: '200 OK' }).waitFor();
  assert.match(await status.textContent(), /200 OK · \d+ ms · \d+ B · GET \/api\/v1\/query\?query=metrics%2Fcpu.busy_pct/);
  await page.locator('.tester-headers summary').click();
  const headers = await page.locator('#tester-headers tr').allTextContents();
  assert.ok(headers.some((h) => /^content-typeapplication\/json/.test(h)), headers.join(' | '));
  const body = await page.locator('#tester-body').textContent();
  assert.match(body, /^\{\n {2}"status": "success",\n {2}"data": \{\n {4}"resultType": "vector"/);
  assert.match(body, /"12.5"/);
  // The URL keeps the endpoint and its parameters: it reopens filled in.
  const url = page.url();
  assert.match(url, /ep=query&query=metrics%2Fcpu.busy_pct/);
  await page.goto(url, { waitUntil: 'networkidle' });
  assert.equal(await page.getByLabel('query', { exact: true }).inputValue(), 'metrics/cpu.busy_pct');
  // A bad expression: the 400 and the server's explanation.
  await page.getByLabel('query', { exact: true }).fill('rate(');
  await page.getByRole('button', { name: 'Send' }).click();
  await status.locator('strong', { hasText: '400 Bad Request' }).waitFor();
  assert.match(await page.locator('#tester-body').textContent(), /"errorType": "bad_data"/);
  // A required parameter left empty is named before anything is sent.
  await page.locator('.endpoint-list button[data-id="metrics"]').click();
  await page.getByLabel('db', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#tester-result [role=alert]', { hasText: 'Fill in db: /api/v1/metrics needs it.' }).waitFor();
  assert.deepEqual(problems, [FAILED_400]);
});

test('the API tester POSTs a body and the events it wrote read back', async () => {
  const { page, problems } = await open(PHONE, '/api-tester');
  // On a phone the endpoints are a select.
  await page.selectOption('#endpoint', 'events_post');
  assert.match(await page.locator('#tester-request-body').inputValue(), /"name": "deploy"/);
  await page.locator('#tester-request-body').fill('[{"name": "door.open", "value": 1, "payload": {"room": "hall"}}]');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#tester-status strong', { hasText: '200 OK' }).waitFor();
  assert.match(await page.locator('#tester-body').textContent(), /"written": 1,\n\s+"rejected": 0/);
  await page.selectOption('#endpoint', 'events');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#tester-status strong', { hasText: '200 OK' }).waitFor();
  assert.match(await page.locator('#tester-body').textContent(), /"name": "door.open"[\s\S]*"room": "hall"/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  assert.deepEqual(problems, []);
});

test('screenshots of the API tester and the import dialog at both sizes, light and dark', async () => {
  const files = await screenshots(browser, daemon.base, 'api-tester', '/api-tester?ep=query&query=metrics%2Fsys.load1',
      async (page) => {
        await page.getByRole('button', { name: 'Send' }).click();
        await page.locator('#tester-status strong', { hasText: '200 OK' }).waitFor();
      });
  files.push(...await screenshots(browser, daemon.base, 'editor-import', '/dashboard/edit', async (page) => {
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.locator('#import-dialog textarea').fill('{"title": "T",\n  "groups" []}');
    await page.locator('#import-dialog').getByRole('button', { name: 'Import and save' }).click();
    await page.locator('#import-error').waitFor();
  }));
  assert.equal(files.length, 8);
});
