// Calls to the server's JSON APIs. Every function throws an Error whose message is the
// server's own explanation ("database not found: x"), so pages can show it as is.

async function request(url, options = {}) {
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' }, ...options });
  } catch (e) {
    throw new Error(`cannot reach the server (${e.message})`);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
    throw new Error(`the server answered ${url} with text that is not JSON`);
  }
  if (!res.ok && !(body && (body.errors || body.error))) {
    throw new Error(`${res.status} ${res.statusText}`);
  }
  if (body && body.status === 'error') {
    const err = new Error(body.error || 'request failed');
    err.status = res.status;
    throw err;
  }
  return { status: res.status, body };
}

// "1h", "1d+1h": the rollup intervals that answers read, coarsest first; '' for raw only.
export function rollupIntervals(answers) {
  const seen = [];
  for (const a of answers) {
    for (const u of a?.rollups ?? []) {
      for (const l of u.levels) if (!seen.includes(l.interval)) seen.push(l.interval);
    }
  }
  return seen.join('+');
}

export async function getJSON(url) {
  return (await request(url)).body;
}

function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  return p.toString();
}

export async function uiConfig() {
  try {
    return await getJSON('/api/ui/config');
  } catch {
    return { title: 'NanoTDB', refresh_seconds: 10 };
  }
}

export async function listDatabases(includeInternal = true) {
  const body = await getJSON('/api/v1/databases?' + qs({ include_internal: includeInternal }));
  return body.data.result;
}

export async function listMetrics(db) {
  const body = await getJSON('/api/v1/metrics?' + qs({ db }));
  return body.data.result;
}

// Latest sample: {ts (Unix s), value} or null when the metric has none.
export async function queryLast(db, metric) {
  const body = await getJSON('/api/v1/query?' + qs({ db, query: metric }));
  const r = body.data.result[0];
  if (!r) return null;
  return { ts: Number(r.value[0]), value: Number(r.value[1]) };
}

// Range query. opts: {start, end} Unix seconds and either step (seconds: avg buckets, asked
// as aggregate=avg because query_range's own step is PromQL's grid), aggregate
// ("min,avg,max") + window (seconds), or neither (raw samples).
// Returns {<aggregate or "raw">: {t: [...], v: [...]}} with a non-enumerable `rollups`: the
// answer's data.rollups ([] when the server read raw samples only; docs/rollups.md).
export async function queryRange(db, metric, opts) {
  const params = { db, query: metric, start: Math.floor(opts.start), end: Math.ceil(opts.end),
    timestamp_unit: 's' };
  if (opts.aggregate) {
    params.aggregate = opts.aggregate;
    params.window = `${Math.max(1, Math.round(opts.window))}s`;
  } else if (opts.step) {
    params.aggregate = 'avg';
    params.window = `${Math.max(1, Math.round(opts.step))}s`;
  }
  const body = await getJSON('/api/v1/query_range?' + qs(params));
  const out = {};
  for (const item of body.data.result) {
    const key = item.metric.aggregate || (opts.aggregate ? opts.aggregate : 'raw');
    out[key] = { t: item.values.map((p) => Number(p[0])), v: item.values.map((p) => Number(p[1])) };
  }
  Object.defineProperty(out, 'rollups', { value: body.data.rollups ?? [], enumerable: false });
  return out;
}

// A PromQL expression over a range (query_range with a step; `db` is the default database of
// its selectors). {series: [{metric, t, v}], warnings, rollups}; NaN and ±Inf read as gaps.
export async function queryPromQL(db, query, opts) {
  const params = { db, query, start: Math.floor(opts.start), end: Math.ceil(opts.end),
    step: `${Math.max(1, Math.round(opts.step))}s`, timestamp_unit: 's' };
  const body = await getJSON('/api/v1/query_range?' + qs(params));
  const number = (x) => {
    const n = Number(x);
    return Number.isFinite(n) ? n : null;
  };
  const series = (body.data.result ?? []).map((item) => ({ metric: item.metric ?? {},
    t: item.values.map((p) => Number(p[0])), v: item.values.map((p) => number(p[1])) }));
  return { series, warnings: body.warnings ?? [], rollups: body.data.rollups ?? [] };
}

// Events of a database (docs/events.md). opts: {start, end} Unix seconds, name (exact),
// limit, newest (newest first: the newest `limit` of the range). {events, truncated}.
export async function queryEvents(db, opts = {}) {
  const params = { db, name: opts.name, limit: opts.limit, timestamp_unit: 's',
    start: opts.start === undefined ? undefined : Math.floor(opts.start),
    end: opts.end === undefined ? undefined : Math.ceil(opts.end),
    order: opts.newest ? 'desc' : undefined };
  const body = await getJSON('/api/v1/events?' + qs(params));
  return { events: body.data.events, truncated: Boolean(body.data.truncated) };
}

// How many events of each name a range holds: {counts: [{name, buckets: [[t, n]]}]}.
export async function countEvents(db, opts = {}) {
  const params = { db, timestamp_unit: 's', start: Math.floor(opts.start), end: Math.ceil(opts.end) };
  return (await getJSON('/api/v1/events/count?' + qs(params))).data;
}

// Dashboard config API. Save answers {ok, backup_path, config} or throws with .errors.
export async function getDashboard() {
  let res;
  try {
    res = await fetch('/api/dashboard-config', { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new Error(`cannot reach the server (${e.message})`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`the dashboard file is not valid JSON (${e.message}). Fix the file, or copy ` +
        'one from dashboard_backups/ next to it.');
  }
}

function authHeaders() {
  const token = sessionStorage.getItem('nanotdb.admin_token');
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function sendDashboard(url, method, draft) {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: JSON.stringify(draft),
  }).catch((e) => { throw new Error(`cannot reach the server (${e.message})`); });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  if (res.status === 401 || res.status === 403) {
    const err = new Error(`saving needs the admin role: ${body?.error ?? res.statusText}. ` +
        'Enter an admin token, or open the editor from the server itself.');
    err.auth = true;
    throw err;
  }
  if (!body) throw new Error(`${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  if (!body.ok) {
    const err = new Error(`${(body.errors ?? [body.error]).length} problem(s)`);
    err.errors = body.errors ?? [body.error];
    throw err;
  }
  return body;
}

export function validateDashboard(draft) {
  return sendDashboard('/api/dashboard-config/validate', 'POST', draft);
}

export function saveDashboard(draft) {
  return sendDashboard('/api/dashboard-config', 'PUT', draft);
}
