// Explore (/explore): pick a database, search its metric names (type to filter, best match
// first; thousands of names; long names wrap), chart several series together with last-value
// cards — one axis per unit, counters as per-second rates — choose range, step and aggregate,
// auto-refresh — or a PromQL expression (mode PromQL, or an expression typed in the search box)
// charted series by series, its parse errors shown at their position. Everything is in the
// URL so a view can be shared:
//   ?db=metrics&m=cpu.busy_pct&m=net.eth0.rx_bytes&rate=net.eth0.rx_bytes&range=1h&step=auto
//   ?db=metrics&mode=promql&q=rate(net.eth0.rx_bytes[5m])&range=6h
import { listDatabases, listMetrics, queryLast, queryPromQL, queryRange, rollupIntervals } from './api.js';
import { createChart } from './chart.js';
import { clockTime, formatSeriesValue, niceStep } from './format.js';
import { counterRate, guessUnit, rateUnit } from './metrics.js';
import { initPage } from './nav.js';
import { errorPosition, exprUnit, looksLikePromQL, resultLabel } from './promql.js';
import { searchMetrics } from './search.js';
import { PRESETS, describeRange, presetLabel, rangeFromParams, rangeToParams, resolveRange }
  from './timerange.js';
import { el } from './widgets.js';

const STEPS = [['auto', 'auto'], ['10', '10s'], ['30', '30s'], ['60', '1m'], ['300', '5m'],
  ['3600', '1h'], ['raw', 'raw samples']];
const AGGS = ['', 'avg', 'min', 'max', 'sum', 'count', 'first', 'last'];
const REFRESH = [['0', 'off'], ['5', '5s'], ['10', '10s'], ['30', '30s'], ['60', '1m'], ['300', '5m']];
const MAX_SHOWN = 200;
// The series of a PromQL answer drawn at most (the cards and the chart).
const MAX_SERIES = 30;

const state = { db: '', metrics: [], rates: [], range: { last: '1h' }, step: 'auto', agg: '',
  refresh: 10, names: [], mode: 'metrics', expr: '' };
let chart = null;
let timer = null;
let inflight = false;
const ui = {};

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.db = p.get('db') || '';
  state.metrics = p.getAll('m').filter(Boolean);
  // Counters are charted as rates unless the URL says which are (rate= with none: all raw).
  state.rates = p.has('rate') ? p.getAll('rate').filter((m) => state.metrics.includes(m))
                              : state.metrics.filter((m) => guessUnit(m).counter);
  state.range = rangeFromParams(p) ?? { last: '1h' };
  state.step = STEPS.some(([v]) => v === p.get('step')) ? p.get('step') : 'auto';
  state.agg = AGGS.includes(p.get('agg')) ? p.get('agg') : '';
  const r = Number(p.get('refresh') ?? 10);
  state.refresh = REFRESH.some(([v]) => Number(v) === r) ? r : 10;
  state.expr = p.get('q') ?? '';
  state.mode = p.get('mode') === 'promql' || (p.get('mode') === null && state.expr) ? 'promql' : 'metrics';
}

function writeUrl() {
  const p = new URLSearchParams();
  if (state.db) p.set('db', state.db);
  for (const m of state.metrics) p.append('m', m);
  for (const m of state.rates) p.append('rate', m);
  if (!state.rates.length) p.set('rate', '');
  rangeToParams(state.range, p);
  p.set('step', state.step);
  if (state.agg) p.set('agg', state.agg);
  p.set('refresh', String(state.refresh));
  if (state.mode === 'promql') p.set('mode', 'promql');
  if (state.expr) p.set('q', state.expr);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

function select(label, options, value, onchange) {
  const s = el('select', { 'aria-label': label });
  for (const [v, text] of options) s.append(el('option', { value: v }, text));
  s.value = String(value);
  s.addEventListener('change', () => onchange(s.value));
  return el('label', {}, label, s);
}

// The metric search: a text box filtering all names of the database; Enter or click adds.
function buildPicker() {
  const input = el('input', { type: 'search', placeholder: 'Search metrics (type to filter)',
    'aria-label': 'Search metrics', autocomplete: 'off', role: 'combobox',
    'aria-controls': 'metric-list', 'aria-expanded': 'false', id: 'metric-search' });
  const list = el('ul', { class: 'picker-list', id: 'metric-list', role: 'listbox', hidden: '' });
  let matches = [];
  let cursor = -1;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); };
  const add = (name) => {
    if (name && !state.metrics.includes(name)) {
      state.metrics.push(name);
      if (guessUnit(name).counter) state.rates.push(name);
    }
    input.value = '';
    close();
    changed();
  };
  // Text no metric name can be (brackets, operators between blanks…) is offered as PromQL,
  // first: Enter runs it.
  const asPromQL = (text) => {
    input.value = '';
    close();
    setMode('promql', text.trim());
  };
  const render = () => {
    const expr = looksLikePromQL(input.value) ? input.value.trim() : '';
    matches = searchMetrics(state.names, input.value, state.metrics);
    if (expr) matches = [{ expr }, ...matches];
    cursor = Math.min(cursor, matches.length - 1);
    list.replaceChildren(...matches.slice(0, MAX_SHOWN).map((n, i) => el('li', {
      role: 'option', id: `opt-${i}`, 'aria-selected': String(i === cursor), class: n.expr ? 'as-promql' : null,
      onmousedown: (e) => { e.preventDefault(); if (n.expr) asPromQL(n.expr); else add(n); } },
    n.expr ? `Run as PromQL: ${n.expr}` : n)));
    if (matches.length > MAX_SHOWN) {
      list.append(el('li', { class: 'more' }, `${matches.length - MAX_SHOWN} more — keep typing to narrow`));
    }
    if (!matches.length) {
      list.append(el('li', { class: 'more' }, state.names.length
        ? `no metric of ${state.db} contains "${input.value}"`
        : `database ${state.db || '(none)'} has no metrics yet`));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    ui.count.textContent = `${matches.filter((n) => !n.expr).length} of ${state.names.length} metrics`;
  };
  input.addEventListener('input', () => { cursor = 0; render(); });
  input.addEventListener('focus', render);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      cursor = Math.max(0, Math.min(Math.min(matches.length, MAX_SHOWN) - 1,
          cursor + (e.key === 'ArrowDown' ? 1 : -1)));
      render();
      list.querySelector(`#opt-${cursor}`)?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = matches[Math.max(0, cursor)];
      if (pick?.expr) asPromQL(pick.expr);
      else add(pick ?? (state.names.includes(input.value.trim()) ? input.value.trim() : ''));
    } else if (e.key === 'Escape') {
      close();
    }
  });
  ui.count = el('span', { class: 'muted' });
  // Names that arrive while the list is open (typed before they loaded) are shown at once.
  ui.namesLoaded = () => { if (!list.hidden) render(); };
  return el('div', { class: 'picker grow' }, el('label', { for: 'metric-search' }, 'Metric'), input, list, ui.count);
}

// The PromQL box: the expression, Run (Enter; Shift+Enter for a new line) and where the names
// come from.
function buildQueryBox() {
  const box = el('textarea', { id: 'promql', rows: '2', spellcheck: 'false', autocomplete: 'off',
    'aria-label': 'PromQL expression', placeholder: 'rate(net.eth0.rx_bytes[5m])' });
  box.value = state.expr;
  const run = () => {
    state.expr = box.value.trim();
    changed();
  };
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      run();
    }
  });
  ui.exprBox = box;
  return el('div', { class: 'picker grow promql-box' },
      el('label', { for: 'promql' }, 'PromQL expression'), box,
      el('div', { class: 'toolbar' },
          el('button', { type: 'button', class: 'primary', onclick: run }, 'Run'),
          el('span', { class: 'muted' }, `Names as stored: cpu.busy_pct in the database chosen, ` +
              'lab/power_watts{circuit="kitchen/oven"} in another; Enter runs, Shift+Enter is a new line.')));
}

// Metrics (search and pick) or PromQL (an expression); the range, step and refresh stay.
function setMode(mode, expr) {
  state.mode = mode;
  if (expr !== undefined) state.expr = expr;
  renderMode();
  changed();
  if (mode === 'promql') ui.exprBox.focus();
}

function renderMode() {
  for (const [m, b] of Object.entries(ui.modeButtons)) b.setAttribute('aria-pressed', String(m === state.mode));
  ui.picker.hidden = state.mode !== 'metrics';
  ui.queryBox.hidden = state.mode !== 'promql';
  ui.chips.hidden = state.mode !== 'metrics';
  if (ui.exprBox.value !== state.expr) ui.exprBox.value = state.expr;
}

// A failed query: the server's message, and for a parse error the expression with a caret under
// the position it names.
function showError(e) {
  ui.error.hidden = false;
  const pos = state.mode === 'promql' ? errorPosition(e.message) : null;
  if (state.mode === 'promql') {
    // Nothing drawn is left under an expression that did not run.
    promqlChart([], '');
    ui.cards.replaceChildren();
    ui.status.textContent = '';
  }
  ui.error.replaceChildren(el('div', {}, `${state.mode === 'promql' ? 'PromQL error' : 'Query failed'}: ${e.message}`));
  if (pos) {
    const line = state.expr.split('\n')[pos.line - 1] ?? '';
    ui.error.append(el('pre', { class: 'promql-caret', 'aria-label': `position ${pos.line}:${pos.col}` },
        `${line}\n${' '.repeat(Math.max(0, pos.col - 1))}^`));
  }
}

// How a metric is charted: {unit, factor, rate}.
function shape(m) {
  const g = guessUnit(m);
  const rate = state.rates.includes(m);
  return { unit: rate ? rateUnit(g.unit) : g.unit, factor: g.factor, rate };
}

function renderChips() {
  ui.chips.replaceChildren(...state.metrics.map((m) => el('span', { class: 'chip' },
      el('span', {}, m),
      el('button', { type: 'button', class: 'rate', 'aria-pressed': String(state.rates.includes(m)),
        title: 'Chart the per-second rate of this counter', 'aria-label': `Rate of ${m}`,
        onclick: () => {
          state.rates = state.rates.includes(m) ? state.rates.filter((x) => x !== m)
                                                : [...state.rates, m];
          changed();
        } }, 'rate'),
      el('button', { type: 'button', 'aria-label': `Remove ${m}`, title: 'Remove',
        onclick: () => {
          state.metrics = state.metrics.filter((x) => x !== m);
          state.rates = state.rates.filter((x) => x !== m);
          changed();
        } }, '✕'))));
  if (!state.metrics.length) {
    ui.chips.append(el('span', { class: 'muted' }, 'No metric selected: search above and press Enter.'));
  }
}

function rebuildChart() {
  if (chart) chart.destroy();
  chart = null;
  chartKey = '';
  ui.chart.replaceChildren();
  if (state.mode === 'promql' || !state.metrics.length) return;
  chart = createChart(ui.chart, {
    series: state.metrics.map((m) => ({ label: shape(m).rate ? `rate(${m})` : m, unit: shape(m).unit })),
    height: window.innerWidth < 700 ? 240 : 360,
    decimals: 3,
    onZoom: (from, to) => {
      state.range = from === null ? { last: '1h' } : { from, to };
      changed(false);
    },
  });
}

// The chart of a PromQL answer, made again when its series change.
let chartKey = '';
function promqlChart(labels, unit) {
  const key = JSON.stringify([labels, unit]);
  if (chart && key === chartKey) return chart;
  if (chart) chart.destroy();
  ui.chart.replaceChildren();
  chartKey = key;
  chart = labels.length ? createChart(ui.chart, {
    series: labels.map((label) => ({ label, unit })),
    height: window.innerWidth < 700 ? 240 : 360,
    decimals: 3,
    onZoom: (from, to) => {
      state.range = from === null ? { last: '1h' } : { from, to };
      changed(false);
    },
  }) : null;
  return chart;
}

async function refreshPromQL(now, range, step) {
  const expr = state.expr;
  if (!expr) {
    promqlChart([], '');
    ui.cards.replaceChildren(el('span', { class: 'muted' },
        'Type a PromQL expression above and press Enter, for example rate(net.eth0.rx_bytes[5m]).'));
    ui.status.textContent = '';
    ui.error.hidden = true;
    return;
  }
  const answer = await queryPromQL(state.db, expr, { start: range.start, end: range.end, step });
  if (again || expr !== state.expr) return;
  const { unit, factor } = exprUnit(expr);
  const shown = answer.series.slice(0, MAX_SERIES);
  const labels = shown.map((s) => resultLabel(s.metric, state.db, expr));
  // Two series that read alike (labels cut) get their place in the answer as well.
  const seen = new Map();
  const unique = labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n > 1 ? `${l} #${n}` : l;
  });
  const cols = shown.map((s) => ({ t: s.t, v: s.v.map((x) => (x === null ? null : x * factor)) }));
  ui.cards.replaceChildren(...(shown.length ? shown.map((s, i) => el('div', { class: 'tile', title: unique[i] },
      el('div', { class: 'tile-label' }, unique[i]),
      el('div', { class: 'tile-value' }, cols[i].v.length
        ? formatSeriesValue(cols[i].v.at(-1), { unit, decimals: unit ? 2 : 4 }) : '—'),
      el('div', { class: 'tile-note' }, cols[i].t.length ? new Date(cols[i].t.at(-1) * 1000).toLocaleString() : 'no data')))
    : [el('span', { class: 'muted', id: 'promql-empty' }, `The expression matched no series in ${state.db} over this range.`)]));
  const c = promqlChart(unique, unit);
  const points = c ? c.setData(cols, range) : 0;
  const more = answer.series.length > MAX_SERIES ? ` (the first ${MAX_SERIES} of ${answer.series.length})` : '';
  const rollups = rollupIntervals([answer]);
  ui.status.textContent = `${describeRange(state.range)} · PromQL every ${step}s · ${answer.series.length} series${more}` +
      ` · ${points} points${rollups ? ` · rollups ${rollups}` : ''}${answer.warnings.length ? ` · ${answer.warnings.join('; ')}` : ''}` +
      ` · updated ${clockTime(now)}`;
  ui.error.hidden = true;
}

// A refresh asked for while one runs (a new range, metric or step) runs as soon as it ends;
// the older answer is not drawn.
let again = false;
async function refresh() {
  if (!state.db) return;
  if (inflight) {
    again = true;
    return;
  }
  inflight = true;
  again = false;
  try {
    const now = Date.now() / 1000;
    const range = resolveRange(state.range, now);
    const span = range.end - range.start;
    if (state.mode === 'promql') {
      // Raw samples are no PromQL step: auto then.
      const fixed = Number(state.step);
      await refreshPromQL(now, range, Number.isFinite(fixed) && fixed > 0 ? fixed : niceStep(span, 720));
      return;
    }
    const step = state.step === 'auto' ? niceStep(span, 720) : Number(state.step);
    const metrics = state.metrics.slice();
    const shapes = metrics.map(shape);
    const lasts = Promise.all(metrics.map((m) => queryLast(state.db, m).catch((e) => ({ error: e.message }))));
    // A counter's rate comes from the last value of each step (or every raw sample).
    const answers = chart ? Promise.all(metrics.map(async (m, i) => {
      const opts = { start: range.start, end: range.end };
      if (shapes[i].rate) {
        if (state.step !== 'raw') Object.assign(opts, { aggregate: 'last', window: step });
      } else if (state.agg) Object.assign(opts, { aggregate: state.agg, window: step });
      else if (state.step !== 'raw') opts.step = step;
      return queryRange(state.db, m, opts);
    })) : null;
    const [last, ranges] = [await lasts, await answers];
    if (again) return;
    const cols = (ranges ?? []).map((r, i) => {
      const c = Object.values(r)[0] ?? { t: [], v: [] };
      const f = shapes[i].factor;
      const scaled = { t: c.t, v: c.v.map((x) => (x === null ? null : x * f)) };
      return shapes[i].rate ? counterRate(scaled.t, scaled.v) : scaled;
    });
    ui.cards.replaceChildren(...metrics.map((m, i) => {
      const r = last[i];
      const { unit, factor, rate } = shapes[i];
      let value = '—';
      let note = r?.error ? r.error : r ? new Date(r.ts * 1000).toLocaleString() : 'no data';
      if (rate && cols[i]?.v.length) {
        value = formatSeriesValue(cols[i].v.at(-1), { unit, decimals: 2 });
        note = `rate at ${new Date(cols[i].t.at(-1) * 1000).toLocaleString()}`;
      } else if (r && !r.error && !rate) {
        value = formatSeriesValue(r.value, { factor, unit, decimals: unit ? 2 : 4 });
      }
      return el('div', { class: 'tile', title: m },
          el('div', { class: 'tile-label' }, rate ? `rate(${m})` : m),
          el('div', { class: 'tile-value' }, value),
          el('div', { class: 'tile-note' }, note));
    }));
    if (chart) {
      const points = chart.setData(cols, range);
      const rollups = rollupIntervals(ranges);
      ui.status.textContent = `${describeRange(state.range)} · ${state.agg || (state.step === 'raw' ? 'raw' : 'avg')}` +
          `${state.step === 'raw' && !state.agg ? '' : ` per ${step}s`} · ${points} points` +
          `${state.rates.length ? ' · rates from the last value per step' : ''}` +
          `${rollups ? ` · rollups ${rollups}` : ''} · updated ${clockTime(now)}`;
    } else {
      ui.status.textContent = '';
    }
    ui.error.hidden = true;
  } catch (e) {
    showError(e);
  } finally {
    inflight = false;
    if (again) refresh();
  }
}

function schedule() {
  if (timer) clearInterval(timer);
  timer = null;
  if (state.refresh > 0) {
    timer = setInterval(() => {
      if (!document.hidden && state.range.last) refresh();
    }, Math.max(2, state.refresh) * 1000);
  }
}

function renderControls() {
  ui.controls.replaceChildren(...[
      select('Range', [...PRESETS.map((p) => [p, presetLabel(p)]),
        ...(state.range.last ? [] : [['fixed', 'Zoomed']])],
      state.range.last ?? 'fixed', (v) => { if (v !== 'fixed') { state.range = { last: v }; changed(false); } }),
      select('Step', state.mode === 'promql' ? STEPS.filter(([v]) => v !== 'raw') : STEPS,
          state.mode === 'promql' && state.step === 'raw' ? 'auto' : state.step, (v) => { state.step = v; changed(false); }),
      state.mode === 'promql' ? null : select('Aggregate', AGGS.map((a) => [a, a || 'none (avg per step)']), state.agg,
          (v) => { state.agg = v; changed(false); }),
      select('Auto-refresh', REFRESH, state.refresh, (v) => { state.refresh = Number(v); changed(false); }),
      el('button', { type: 'button', onclick: refresh, title: 'Refresh now' }, '↻'),
      state.range.last ? null : el('button', { type: 'button', class: 'primary',
        onclick: () => { state.range = { last: '1h' }; changed(false); } }, 'Back to live'),
  ].filter(Boolean));
}

function changed(seriesChanged = true) {
  writeUrl();
  renderChips();
  renderControls();
  if (seriesChanged || !chart) rebuildChart();
  schedule();
  refresh();
}

async function loadNames() {
  state.names = [];
  ui.count.textContent = 'loading metric names…';
  try {
    state.names = (await listMetrics(state.db)).slice().sort();
    ui.count.textContent = `${state.names.length} metrics`;
    ui.namesLoaded();
  } catch (e) {
    ui.count.textContent = `cannot list metrics: ${e.message}`;
  }
}

async function main() {
  await initPage('explore', 'Explore');
  readUrl();
  const root = document.getElementById('main');
  let dbs = [];
  try {
    dbs = await listDatabases(true);
  } catch (e) {
    root.replaceChildren(el('div', { class: 'banner error' }, `Cannot list databases: ${e.message}`));
    return;
  }
  if (!state.db || !dbs.includes(state.db)) state.db = dbs.includes('metrics') ? 'metrics' : dbs[0] || '';
  const dbSelect = el('select', { 'aria-label': 'Database', id: 'db' },
      ...dbs.map((d) => el('option', { value: d }, d)));
  dbSelect.value = state.db;
  dbSelect.addEventListener('change', async () => {
    state.db = dbSelect.value;
    state.metrics = [];
    await loadNames();
    changed();
  });
  ui.controls = el('div', { class: 'toolbar' });
  ui.chips = el('div', { class: 'chips' });
  ui.cards = el('div', { class: 'cards', 'aria-live': 'polite' });
  ui.chart = el('div', { class: 'chart-holder', id: 'explore-chart' });
  ui.status = el('div', { class: 'card-foot' });
  ui.error = el('div', { class: 'banner error', hidden: '', role: 'alert', id: 'explore-error' });
  ui.picker = buildPicker();
  ui.queryBox = buildQueryBox();
  ui.modeButtons = {};
  const modes = el('div', { class: 'segmented', role: 'group', 'aria-label': 'Query mode' },
      ...[['metrics', 'Metrics'], ['promql', 'PromQL']].map(([m, text]) => {
        ui.modeButtons[m] = el('button', { type: 'button', 'aria-pressed': 'false',
          onclick: () => { if (state.mode !== m) setMode(m); } }, text);
        return ui.modeButtons[m];
      }));
  root.replaceChildren(
      el('div', { class: 'toolbar query-row' }, el('label', {}, 'Database', dbSelect),
          el('div', { class: 'label-like' }, 'Query', modes), ui.picker, ui.queryBox),
      ui.chips, ui.controls, ui.error,
      el('h2', {}, 'Last values'), ui.cards,
      el('section', { class: 'section' }, el('h2', {}, 'Chart'), ui.chart, ui.status));
  if (!dbs.length) {
    ui.error.hidden = false;
    ui.error.textContent = 'No database exists yet: ingest some samples first (POST /api/v1/import).';
  }
  renderMode();
  await loadNames();
  changed();
}

main();
