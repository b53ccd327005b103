// API tester (/api-tester): pick one of the server's endpoints, fill its parameters (and the
// body of a POST), send it, and read the answer: status, time, size, headers and the body
// (JSON indented). The endpoint and its parameters are kept in the URL (?ep=query&query=…).
import { initPage } from './nav.js';
import { el } from './widgets.js';

// Each endpoint: id, method, path, what it does, parameters [name, example, required], and
// for a POST the body's content type and an example body.
export const ENDPOINTS = [
  { id: 'health', method: 'GET', path: '/health', doc: 'Is the server up' },
  { id: 'databases', method: 'GET', path: '/api/v1/databases', doc: 'The databases',
    params: [['include_internal', 'true']] },
  { id: 'metrics', method: 'GET', path: '/api/v1/metrics', doc: 'The series of a database',
    params: [['db', 'metrics', true]] },
  { id: 'aggregates', method: 'GET', path: '/api/v1/aggregates', doc: 'The aggregates query_range takes' },
  { id: 'query', method: 'GET', path: '/api/v1/query', doc: 'A PromQL expression at one time (latest value of a series)',
    params: [['query', 'metrics/cpu.busy_pct', true], ['db', ''], ['time', '']] },
  { id: 'query_range', method: 'GET', path: '/api/v1/query_range',
    doc: 'PromQL over a range (step), raw samples, or aggregates (aggregate + window)',
    params: [['query', 'metrics/cpu.busy_pct', true], ['db', ''], ['start', '-1h', true], ['end', ''],
      ['step', '60'], ['aggregate', ''], ['window', '']] },
  { id: 'series', method: 'GET', path: '/api/v1/series', doc: 'The series a selector matches',
    params: [['match[]', '{db="metrics"}', true], ['start', '-1h'], ['end', '']] },
  { id: 'import', method: 'POST', path: '/api/v1/import', doc: 'Line protocol samples',
    params: [['db', '']], type: 'text/plain',
    body: 'metrics/room.temp 21.5\nmetrics/room.humidity_pct 48i\n' },
  { id: 'events_post', method: 'POST', path: '/api/v1/events', doc: 'Write events (one object or an array)',
    params: [['db', 'home', true]], type: 'application/json',
    body: '{"name": "deploy", "value": 3, "payload": {"version": "1.4.2", "by": "ci"}}\n' },
  { id: 'events', method: 'GET', path: '/api/v1/events', doc: 'Events of a range',
    params: [['db', 'home', true], ['name', ''], ['start', '-1d'], ['end', ''], ['limit', '100'], ['order', 'desc']] },
  { id: 'events_count', method: 'GET', path: '/api/v1/events/count', doc: 'Events per name (and window)',
    params: [['db', 'home', true], ['name', ''], ['start', '-7d'], ['end', ''], ['window', '1d']] },
  { id: 'rollup_backfill', method: 'POST', path: '/api/v1/rollup/backfill', doc: 'Recompute rollups (admin)',
    params: [['db', '']], type: 'application/json', body: '' },
  { id: 'engine_overview', method: 'GET', path: '/api/engine/overview', doc: 'Inspector: every database' },
  { id: 'engine_database', method: 'GET', path: '/api/engine/database', doc: 'Inspector: one database, files and WAL',
    params: [['db', 'metrics', true]] },
  { id: 'engine_runtime', method: 'GET', path: '/api/engine/runtime', doc: 'Inspector: process and plugins' },
  { id: 'dashboard_config', method: 'GET', path: '/api/dashboard-config', doc: 'The dashboard as stored' },
  { id: 'dashboard_validate', method: 'POST', path: '/api/dashboard-config/validate',
    doc: 'Check a dashboard without saving it', type: 'application/json',
    body: '{"title": "Home", "groups": [{"id": "g", "widgets": ["w"]}],\n "widgets": {"w": {"type": "number", "series": [{"metric": "cpu.busy_pct"}]}}}\n' },
];

// The URL of a request: path and the non-empty parameters, in order.
export function requestUrl(endpoint, values) {
  const q = new URLSearchParams();
  for (const [name] of endpoint.params ?? []) {
    const v = values[name];
    if (v !== undefined && v !== '') q.append(name, v);
  }
  const s = q.toString();
  return s ? `${endpoint.path}?${s}` : endpoint.path;
}

// The body as a person reads it: JSON indented, anything else as sent.
export function prettyBody(text, contentType = '') {
  if (!text) return '';
  if (/json/.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}

export function sizeText(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

const state = { endpoint: ENDPOINTS[0], values: {}, body: '' };
const ui = {};

function pick(id, values = null) {
  state.endpoint = ENDPOINTS.find((e) => e.id === id) ?? ENDPOINTS[0];
  state.values = values ?? Object.fromEntries((state.endpoint.params ?? []).map(([n, ex]) => [n, ex]));
  state.body = state.endpoint.body ?? '';
  render();
}

function writeUrl() {
  const p = new URLSearchParams({ ep: state.endpoint.id });
  for (const [name] of state.endpoint.params ?? []) if (state.values[name]) p.set(name, state.values[name]);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

async function send() {
  const ep = state.endpoint;
  const url = requestUrl(ep, state.values);
  const missing = (ep.params ?? []).filter(([n, , req]) => req && !state.values[n]).map(([n]) => n);
  if (missing.length) {
    ui.result.replaceChildren(el('div', { class: 'banner error', role: 'alert' },
        `Fill in ${missing.join(', ')}: ${ep.path} needs ${missing.length > 1 ? 'them' : 'it'}.`));
    return;
  }
  writeUrl();
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem('nanotdb.admin_token');
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method: ep.method, headers };
  if (ep.method === 'POST') {
    headers['Content-Type'] = ep.type ?? 'application/json';
    init.body = state.body;
  }
  ui.send.disabled = true;
  ui.result.replaceChildren(el('p', { class: 'muted' }, `${ep.method} ${url} …`));
  const t0 = performance.now();
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    const ms = Math.round(performance.now() - t0);
    const rows = [...res.headers.entries()].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)));
    ui.result.replaceChildren(
        el('div', { class: `status-line ${res.ok ? 'ok' : 'bad'}`, id: 'tester-status' },
            el('strong', {}, `${res.status} ${res.statusText}`),
            el('span', { class: 'muted' }, ` · ${ms} ms · ${sizeText(new TextEncoder().encode(text).length)} · ${ep.method} ${url}`)),
        el('details', { class: 'tester-headers' }, el('summary', {}, `Headers (${rows.length})`),
            el('div', { class: 'table-wrap' }, el('table', { id: 'tester-headers' }, el('tbody', {}, ...rows)))),
        el('pre', { class: 'block tester-body', id: 'tester-body' }, prettyBody(text, res.headers.get('content-type') ?? '') || '(empty body)'));
  } catch (e) {
    ui.result.replaceChildren(el('div', { class: 'banner error', role: 'alert' }, `cannot reach the server (${e.message})`));
  } finally {
    ui.send.disabled = false;
  }
}

function render() {
  const ep = state.endpoint;
  for (const b of ui.list.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.id === ep.id));
  ui.choose.value = ep.id;
  const fields = (ep.params ?? []).map(([name, example, required]) => {
    const input = el('input', { type: 'text', 'aria-label': name, placeholder: example || '', spellcheck: 'false' });
    input.value = state.values[name] ?? '';
    input.addEventListener('input', () => { state.values[name] = input.value; });
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') send(); });
    return el('label', {}, required ? `${name} *` : name, input);
  });
  let body = null;
  if (ep.method === 'POST') {
    const area = el('textarea', { rows: '6', spellcheck: 'false', 'aria-label': 'Request body', id: 'tester-request-body' });
    area.value = state.body;
    area.addEventListener('input', () => { state.body = area.value; });
    body = el('label', {}, `Body (${ep.type})`, area);
  }
  ui.send = el('button', { type: 'button', class: 'primary', onclick: send }, 'Send');
  ui.request.replaceChildren(...[
      el('h2', {}, el('span', { class: `method method-${ep.method}` }, ep.method), ' ', el('code', {}, ep.path)),
      el('p', { class: 'muted' }, ep.doc),
      fields.length ? el('div', { class: 'fields' }, ...fields) : null,
      body,
      el('div', { class: 'toolbar' }, ui.send)].filter(Boolean));
  ui.result.replaceChildren();
}

async function main() {
  await initPage('api-tester', 'API tester');
  const root = document.getElementById('main');
  ui.list = el('ul', { class: 'list endpoint-list', 'aria-label': 'Endpoints' },
      ...ENDPOINTS.map((e) => el('li', {}, el('button', { type: 'button', class: 'name', 'data-id': e.id,
        onclick: () => { pick(e.id); writeUrl(); } },
      el('span', { class: `method method-${e.method}` }, e.method), ` ${e.path}`, el('small', {}, e.doc)))));
  ui.choose = el('select', { 'aria-label': 'Endpoint', id: 'endpoint' },
      ...ENDPOINTS.map((e) => el('option', { value: e.id }, `${e.method} ${e.path}`)));
  ui.choose.addEventListener('change', () => { pick(ui.choose.value); writeUrl(); });
  ui.request = el('section', { class: 'section', id: 'tester-request' });
  ui.result = el('section', { id: 'tester-result', 'aria-live': 'polite' });
  root.replaceChildren(el('h1', { style: 'font-size:18px;margin-bottom:10px' }, 'API tester'),
      el('div', { class: 'tester' },
          el('section', { class: 'section tester-endpoints' }, el('h2', {}, 'Endpoints'),
              el('label', { class: 'tester-choose' }, 'Endpoint', ui.choose), ui.list),
          el('div', {}, ui.request, ui.result)));
  const params = new URLSearchParams(location.search);
  const ep = ENDPOINTS.find((e) => e.id === params.get('ep'));
  if (ep) {
    const values = Object.fromEntries((ep.params ?? []).map(([n, ex]) => [n, params.has(n) ? params.get(n) : ex]));
    pick(ep.id, values);
  } else {
    pick(ENDPOINTS[0].id);
  }
}

if (typeof document !== 'undefined') main();
