// Engine inspector (/engine): databases (metrics, files, bytes, open pages), per database its
// data files and their frames, WAL state and metrics, the process (RSS, CPU, threads, uptime,
// plugins) and the effective settings. Tab and database are in the URL hash (#db=metrics).
import { getJSON } from './api.js';
import { dateTime, scaleValue, trimDecimals } from './format.js';
import { initPage } from './nav.js';
import { el } from './widgets.js';

const TABS = [['overview', 'Databases'], ['database', 'Database'], ['runtime', 'Runtime'],
  ['settings', 'Settings']];
let root;
let tabBar;
let panel;

function bytes(n) {
  const s = scaleValue(Number(n) || 0, 'bytes', 1);
  return s.text + s.unit;
}
function num(n) {
  return Number(n ?? 0).toLocaleString();
}
function utc(t) {
  return t ? dateTime(Date.parse(t) / 1000) : '—';
}

function table(headers, rows) {
  return el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...headers.map(([h, cls]) => el('th', { class: cls || '' }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) =>
          el('td', { class: headers[i][1] || '' }, c ?? '')))))));
}

function facts(pairs) {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of pairs) dl.append(el('dt', {}, k), el('dd', {}, v ?? '—'));
  return dl;
}

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  return { tab: h.get('tab') || (h.get('db') ? 'database' : 'overview'), db: h.get('db') || '' };
}

function go(tab, db) {
  const h = new URLSearchParams();
  h.set('tab', tab);
  if (db) h.set('db', db);
  location.hash = h.toString();
}

async function overview() {
  const data = (await getJSON('/api/engine/overview')).data;
  const rows = data.result.map((d) => [
    el('a', { href: `#tab=database&db=${encodeURIComponent(d.name)}` }, d.name),
    d.error ? el('span', { class: 'error' }, d.error) : num(d.metrics),
    d.error ? '' : num(d.data_files), d.error ? '' : num(d.frames), d.error ? '' : num(d.samples),
    d.error ? '' : bytes(d.data_bytes),
    d.error ? '' : (d.samples ? trimDecimals(d.bytes_per_sample, 2) : '—'),
    d.error ? '' : bytes(d.wal_bytes), d.error ? '' : num(d.open_page_samples),
    d.error ? '' : (d.open_partitions || []).join(', ')]);
  return [
    el('h2', {}, `${data.result.length} databases`),
    table([['Database'], ['Metrics', 'num'], ['Files', 'num'], ['Frames', 'num'], ['Samples', 'num'],
      ['Data', 'num'], ['B/sample', 'num'], ['WAL', 'num'], ['Open page', 'num'], ['Open partitions']], rows),
  ];
}

function framesTable(file) {
  return table([['#', 'num'], ['Offset', 'num'], ['Bytes', 'num'], ['Raw', 'num'], ['Ratio', 'num'],
    ['Samples', 'num'], ['Metrics', 'num'], ['B/sample', 'num'], ['Codec'], ['From'], ['To'], ['Span']],
  (file.frame_list || []).map((f) => [f.index, num(f.offset), bytes(f.bytes), bytes(f.raw_bytes),
    trimDecimals(f.ratio, 1) + '×', num(f.samples), num(f.metrics), trimDecimals(f.bytes_per_sample, 2),
    f.codec, utc(f.min_utc), utc(f.max_utc), f.span]));
}

// The first and last samples of the WAL (what a restart would replay first and last).
function walPreview(w) {
  const p = w.preview || { first: [], last: [] };
  if (!p.first.length) return el('p', { class: 'muted', id: 'wal-preview' }, 'The WAL holds no sample: everything is in data files.');
  const rows = (list) => list.map((x) => [x.record, x.metric, utc(x.utc), x.type, x.value]);
  const head = [['Record', 'num'], ['Metric'], ['Time'], ['Type'], ['Value', 'num']];
  const gap = w.samples - p.first.length - p.last.length;
  return el('div', { id: 'wal-preview' },
      el('h3', {}, `First ${p.first.length} samples`), table(head, rows(p.first)),
      p.last.length ? el('h3', {}, gap > 0 ? `Last ${p.last.length} samples (${num(gap)} between not shown)` : `Last ${p.last.length} samples`) : null,
      p.last.length ? table(head, rows(p.last)) : null);
}

async function database(db) {
  const dbs = (await getJSON('/api/engine/overview')).data.result.map((d) => d.name);
  if (!db) db = dbs[0] || '';
  const picker = el('select', { 'aria-label': 'Database' }, ...dbs.map((d) => el('option', { value: d }, d)));
  picker.value = db;
  picker.addEventListener('change', () => go('database', picker.value));
  if (!db) return [el('p', { class: 'muted' }, 'No database yet.')];
  const res = (await getJSON(`/api/engine/database?db=${encodeURIComponent(db)}`)).data.result;
  const s = res.summary;
  const m = s.manifest || {};
  const w = s.wal || {};
  const files = el('div', {});
  for (const f of s.files || []) {
    const details = el('details', { class: 'section' },
        el('summary', {}, `${f.name} — ${bytes(f.bytes)}, ${num(f.samples)} samples, ${f.frames} frames` +
            (f.error ? ` — ${f.error}` : '')),
        facts([['Partition', f.partition], ['From', utc(f.min_utc)], ['To', utc(f.max_utc)],
          ['Bytes per sample', trimDecimals(f.bytes_per_sample, 3)], ['Check', f.error || 'all frames valid']]),
        framesTable(f));
    files.append(details);
  }
  if (!(s.files || []).length) files.append(el('p', { class: 'muted' }, 'No data file yet (samples are still in the open page and WAL).'));
  const filter = el('input', { type: 'search', placeholder: 'Filter metrics', 'aria-label': 'Filter metrics' });
  const metricsBox = el('div', {});
  const renderMetrics = () => {
    const q = filter.value.toLowerCase();
    const list = res.metrics.filter((x) => x.name.toLowerCase().includes(q));
    metricsBox.replaceChildren(table([['Metric'], ['ID', 'num'], ['Type'], ['Last value', 'num'], ['Last sample']],
        list.slice(0, 500).map((x) => [x.name, x.id, x.type, x.last_value || '—', utc(x.last_utc)])));
    if (list.length > 500) metricsBox.append(el('p', { class: 'muted' }, `${list.length - 500} more: filter to narrow`));
  };
  filter.addEventListener('input', renderMetrics);
  renderMetrics();
  return [
    el('div', { class: 'toolbar' }, el('label', {}, 'Database', picker)),
    el('section', { class: 'section' }, el('h2', {}, s.name),
        facts([['Path', s.path], ['Metrics', num(s.metrics)], ['Data', `${bytes(s.data_bytes)} in ${s.data_files} files, ${num(s.frames)} frames`],
          ['Samples on disk', num(s.samples)], ['Bytes per sample', s.samples ? trimDecimals(s.bytes_per_sample, 3) : '—'],
          ['Open page', `${num(s.open_page_samples)} samples in ${(s.open_partitions || []).join(', ') || 'no partition'}`]])),
    el('section', { class: 'section' }, el('h2', {}, 'Write-ahead log'),
        facts([['File', w.name], ['Size', bytes(w.bytes)], ['Records', num(w.records)], ['Samples', num(w.samples)],
          ['From', utc(w.min_utc)], ['To', utc(w.max_utc)], ['Intact prefix', bytes(w.valid_bytes)],
          ['Torn tail', bytes(w.tail_bytes)], ['Stopped because', w.stop_reason || 'clean end']]),
        walPreview(w)),
    el('section', { class: 'section' }, el('h2', {}, 'Manifest'),
        facts(Object.entries(m).map(([k, v]) => [k, String(v)]))),
    el('h2', {}, 'Data files'), files,
    el('section', { class: 'section' }, el('h2', {}, `Metrics (${res.metrics.length})`), filter, metricsBox),
  ];
}

async function runtime() {
  const r = (await getJSON('/api/engine/runtime')).data.result;
  return [
    el('section', { class: 'section' }, el('h2', {}, 'Process'),
        facts([['Version', r.version], ['Uptime', r.uptime], ['Memory (RSS)', bytes(r.rss_bytes)],
          ['Peak RSS', bytes(r.peak_rss_bytes)], ['CPU user', `${trimDecimals(r.cpu_user_seconds, 2)} s`],
          ['CPU system', `${trimDecimals(r.cpu_system_seconds, 2)} s`], ['Threads', r.threads],
          ['Data root', r.root], ['Listening on', r.listen]])),
    el('h2', {}, 'Plugins'),
    table([['Name'], ['Version'], ['Description'], ['File'], ['Status']],
        r.plugins.map((p) => [p.name, p.version, p.description, p.path || 'built in', p.status])),
    ...r.plugins.filter((p) => (p.stats || []).length).map((p) => el('section', { class: 'section' },
        el('h2', {}, `${p.name}: own figures`),
        table([['Figure'], ['Labels'], ['Value', 'num'], ['What']],
            p.stats.map((x) => [x.name, Object.entries(x.labels).map(([k, v]) => `${k}=${v}`).join(', '),
              num(x.value), x.help])))),
  ];
}

async function settings() {
  const data = (await getJSON('/api/engine/overview')).data;
  return [el('h2', {}, 'Effective configuration (secrets redacted)'),
    el('pre', { class: 'block' }, data.settings_toml || '(empty)')];
}

async function render() {
  const { tab, db } = readHash();
  for (const b of tabBar.children) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  panel.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const parts = tab === 'database' ? await database(db) : tab === 'runtime' ? await runtime()
        : tab === 'settings' ? await settings() : await overview();
    panel.replaceChildren(...parts);
  } catch (e) {
    panel.replaceChildren(el('div', { class: 'banner error' }, `Cannot load: ${e.message}`));
  }
}

async function main() {
  await initPage('engine', 'Engine');
  root = document.getElementById('main');
  tabBar = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Inspector sections', style: 'display:flex' },
      ...TABS.map(([key, label]) => el('button', { type: 'button', role: 'tab', 'data-tab': key,
        onclick: () => go(key, readHash().db) }, label)));
  panel = el('div', { role: 'tabpanel' });
  const reload = el('button', { type: 'button', onclick: render, title: 'Reload' }, '↻ Reload');
  root.replaceChildren(el('div', { class: 'toolbar' }, el('h1', { style: 'font-size:18px;flex:1' }, 'Engine inspector'), reload),
      tabBar, panel);
  window.addEventListener('hashchange', render);
  render();
}

main();
