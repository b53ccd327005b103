// Editor-side checks of a dashboard draft, for instant feedback while typing. The server
// (POST /api/dashboard-config/validate) stays the authority and reports every rule; these mirror
// the rules a person trips over most, with the same wording. Pure functions, tested with node.
import { parseDuration } from './format.js';

export const WIDGET_TYPES = ['number', 'numbers', 'line_chart', 'aggregate_band', 'event_log'];
const EVENTS_KEYS = ['db', 'name', 'limit', 'show'];
export const AGGREGATES = ['avg', 'count', 'first', 'last', 'max', 'min', 'sum'];

// Lower-case id of letters, digits and '_' from any text: "CPU Busy %" → "cpu_busy".
export function slugify(text) {
  const slug = String(text ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '').slice(0, 48);
  return slug || 'widget';
}

// `base`, or base_2, base_3 … — the first not in `taken` (a Set or array).
export function uniqueId(base, taken) {
  const set = taken instanceof Set ? taken : new Set(taken);
  if (!set.has(base)) return base;
  for (let i = 2; ; i++) if (!set.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function isColor(c) {
  return /^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(c) || /^[a-z]{1,32}$/i.test(c);
}

export function isDuration(text) {
  return Number.isFinite(parseDuration(text));
}

function seriesProblems(where, s, type) {
  const out = [];
  const metric = s.metric || s.query || (s.measurement && s.field ? `${s.measurement}.${s.field}` : '');
  if (!metric) out.push(`${where}: needs a metric (field "metric", "query" or "measurement"+"field")`);
  else if (/[\s/]/.test(metric) && !s.query) out.push(`${where}: field "metric": invalid metric name "${metric}"`);
  if (s.aggregate && !AGGREGATES.includes(s.aggregate)) {
    out.push(`${where}: field "aggregate" "${s.aggregate}" is not supported (use one of ${AGGREGATES.join(', ')})`);
  }
  const chart = type === 'line_chart' || type === 'aggregate_band';
  if (!chart && Boolean(s.aggregate) !== Boolean(s.window)) {
    out.push(`${where}: "aggregate" and "window" must be set together`);
  }
  if (s.window && !isDuration(s.window)) out.push(`${where}: field "window" "${s.window}" is not a duration`);
  if (s.color && !isColor(s.color)) out.push(`${where}: field "color" "${s.color}" must be #rgb, #rrggbb or a colour name`);
  const t = s.thresholds;
  if (t && (t.warning !== undefined || t.critical !== undefined) &&
      t.direction !== 'above' && t.direction !== 'below') {
    out.push(`${where}: thresholds.direction must be "above" or "below" when warning or critical is set`);
  }
  const f = s.transform?.format;
  if (f && !f.includes('{value}') && !f.includes('{duration}')) {
    out.push(`${where} transform: field "format" "${f}" must contain {value} or {duration}`);
  }
  return out;
}

// The "events" of a widget: an event log's rows or a chart's markers.
function eventsProblems(where, e, type) {
  const out = [];
  const chart = type === 'line_chart' || type === 'aggregate_band';
  if (typeof e !== 'object' || Array.isArray(e) || e === null) {
    return [`${where}: field "events" must be an object (db, name, limit, show)`];
  }
  if (!chart && type !== 'event_log') {
    return [`${where}: field "events" is only used by line_chart, aggregate_band (markers) and event_log widgets`];
  }
  const at = `${where} events`;
  for (const k of Object.keys(e)) {
    if (!EVENTS_KEYS.includes(k)) out.push(`${at}: unknown field "${k}" (allowed: ${EVENTS_KEYS.join(', ')})`);
  }
  if (e.db !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(String(e.db))) {
    out.push(`${at}: field "db": invalid database name "${e.db}"`);
  }
  if (e.name !== undefined) {
    const bytes = new TextEncoder().encode(String(e.name)).length;
    // eslint-disable-next-line no-control-regex
    if (!bytes || bytes > 255 || /[\u0000-\u001f]/.test(e.name)) {
      out.push(`${at}: field "name" "${e.name}" must be an event name: 1 to 255 bytes without control characters`);
    }
  }
  if (e.limit !== undefined && !(Number.isInteger(e.limit) && e.limit >= 1 && e.limit <= 1000)) {
    out.push(`${at}: field "limit" must be a whole number from 1 to 1000`);
  }
  if (e.show !== undefined && typeof e.show !== 'boolean') out.push(`${at}: field "show" must be true or false`);
  else if (e.show !== undefined && !chart) out.push(`${at}: field "show" (markers shown at first) is only used by charts`);
  return out;
}

// Every problem found in a draft, as text naming widget, series and field.
export function validateDraft(draft) {
  const out = [];
  if (!draft || typeof draft !== 'object') return ['the dashboard must be a JSON object'];
  if (!String(draft.title ?? '').trim()) out.push('dashboard: field "title" is required and cannot be blank');
  const widgets = draft.widgets ?? {};
  const groups = draft.groups ?? [];
  if (!groups.length) out.push('dashboard: field "groups" must be a non-empty array');
  const seen = new Set();
  groups.forEach((g, i) => {
    const where = g.id ? `group "${g.id}"` : `group ${i + 1}`;
    if (!g.id) out.push(`${where}: field "id" is required`);
    else if (seen.has(g.id)) out.push(`${where}: id is used by two groups; group ids must be unique`);
    seen.add(g.id);
    for (const id of g.widgets ?? []) {
      if (!widgets[id]) out.push(`${where}: refers to widget "${id}", which is not defined in "widgets"`);
    }
  });
  for (const [id, w] of Object.entries(widgets)) {
    const where = `widget "${id}"`;
    if (!WIDGET_TYPES.includes(w.type)) out.push(`${where}: has unsupported type "${w.type}" (use one of ${WIDGET_TYPES.join(', ')})`);
    const chart = w.type === 'line_chart' || w.type === 'aggregate_band';
    for (const key of ['lookback', 'interval']) {
      if (w[key] !== undefined && w[key] !== '' && !isDuration(w[key])) out.push(`${where}: has invalid ${key} "${w[key]}"`);
      else if (chart && !w[key]) out.push(`${where}: field "${key}" is required for ${w.type}`);
    }
    if (w.refresh_sec !== undefined && !(Number.isInteger(w.refresh_sec) && w.refresh_sec >= 0)) {
      out.push(`${where}: field "refresh_sec" must be a whole number of seconds ≥ 0`);
    }
    if (w.events !== undefined) out.push(...eventsProblems(where, w.events, w.type));
    const series = w.series ?? [];
    if (w.type === 'event_log') {
      if (series.length) out.push(`${where}: event_log widgets list events, not series: remove "series" and set "events" (db, name, limit)`);
      if (w.interval) out.push(`${where}: field "interval" is not used by event_log widgets`);
      continue;
    }
    if (!series.length) out.push(`${where}: must define at least one series`);
    const labels = new Map();
    series.forEach((s, i) => {
      const label = s.label ? ` ("${s.label}")` : '';
      out.push(...seriesProblems(`${where}: series ${i + 1}${label}`, s, w.type));
      const eff = s.label || (s.role ? s.role[0].toUpperCase() + s.role.slice(1) : s.metric || s.query || '');
      labels.set(eff, (labels.get(eff) ?? 0) + 1);
    });
    if (chart) {
      for (const [label, n] of labels) {
        if (n > 1) out.push(`${where}: two series have the label "${label}"; give each series of a chart a distinct label`);
      }
    }
  }
  return out;
}

// A dashboard pasted or uploaded into the editor: {doc} or {error} naming where the JSON breaks
// (`line 2, column 12: expected ':' after a key, got character "["`) or what is not a dashboard.
export function parseDashboardJSON(text) {
  const src = String(text ?? '');
  if (!src.trim()) return { error: 'nothing to import: paste a dashboard JSON or choose a file' };
  let doc;
  try {
    doc = JSON.parse(src);
  } catch (e) {
    const at = jsonError(src);
    if (!at) return { error: `not JSON: ${e.message}` };
    const before = src.slice(0, at.offset);
    const line = before.split('\n').length;
    const column = at.offset - before.lastIndexOf('\n');
    return { error: `not JSON: line ${line}, column ${column}: ${at.message}` };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return { error: `not a dashboard: the JSON is ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : `a ${typeof doc}`}, ` +
        'a dashboard is an object with title, groups and widgets' };
  }
  return { doc };
}

// A copy without empty strings, empty transform/threshold objects and undefined values: what
// the editor sends to the server.
export function cleanDraft(draft) {
  const strip = (v) => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) {
        const c = strip(x);
        if (c === undefined || c === '' || (c && typeof c === 'object' && !Array.isArray(c) &&
            Object.keys(c).length === 0 && (k === 'transform' || k === 'thresholds'))) continue;
        o[k] = c;
      }
      return o;
    }
    return v;
  };
  return strip(draft);
}

// Where JSON text first breaks, and why ({offset, message}; null when it parses): engines name
// the place in different ways or not at all, so the editor finds it itself.
export function jsonError(src) {
  let i = 0;
  const fail = (message) => { throw { offset: i, message }; };
  const ws = () => { while (i < src.length && ' \t\r\n'.includes(src[i])) i++; };
  const literal = (word) => {
    if (src.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe()}`);
  };
  const describe = () => (i >= src.length ? 'end of text' : `character ${JSON.stringify(src[i])}`);
  const string = () => {
    i++;
    while (i < src.length && src[i] !== '"') {
      if (src[i] === '\\') {
        i++;
        if (src[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(src.slice(i + 1, i + 5))) fail('\\u needs four hex digits');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(src[i] ?? '')) fail(`unknown escape \\${src[i] ?? ''}`);
      } else if (src.charCodeAt(i) < 0x20) fail('a control character inside a string (write \\n, \\t …)');
      i++;
    }
    if (i >= src.length) fail('a string is not closed (missing ")');
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (!m) fail(`unexpected ${describe()}`);
    i += m[0].length;
  };
  const value = () => {
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      ws();
      if (src[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (src[i] !== '"') fail(`expected a quoted key, got ${describe()}`);
        string();
        ws();
        if (src[i] !== ':') fail(`expected ':' after a key, got ${describe()}`);
        i++;
        value();
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] === '}') { i++; return; }
        fail(`expected ',' or '}' after a value, got ${describe()}`);
      }
    } else if (c === '[') {
      i++;
      ws();
      if (src[i] === ']') { i++; return; }
      for (;;) {
        value();
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] === ']') { i++; return; }
        fail(`expected ',' or ']' after a value, got ${describe()}`);
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail(`expected a value, got ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < src.length) fail(`text after the end of the JSON: ${describe()}`);
    return null;
  } catch (e) {
    if (e && typeof e.offset === 'number') return e;
    throw e;
  }
}
