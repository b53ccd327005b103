// Dashboard editor (/dashboard/edit): groups, widgets (shared between groups by id) and series —
// add, remove, reorder, duplicate; every schema field; a live preview with real data;
// Validate (server), Save (admin; the server keeps the previous file as a backup), Revert.
// Nothing is saved automatically.
import { getDashboard, listDatabases, listMetrics, saveDashboard, validateDashboard } from './api.js';
import { AUTO_UNITS } from './format.js';
import { initPage } from './nav.js';
import { AGGREGATES, WIDGET_TYPES, cleanDraft, parseDashboardJSON, slugify, uniqueId, validateDraft }
  from './validate.js';
import { EVENT_LIMITS, TYPE_NAMES, createWidget, el } from './widgets.js';

const state = { draft: null, loaded: '', group: 0, widget: null, dbs: [], metrics: new Map(),
  stashedSeries: new Map() };
const ui = {};
let previewTimer = null;
let preview = null;

const clone = (x) => JSON.parse(JSON.stringify(x));
const isChart = (w) => w.type === 'line_chart' || w.type === 'aggregate_band';

function message(kind, text, list = []) {
  ui.msg.className = `banner ${kind === 'error' ? 'error' : ''}`;
  ui.msg.hidden = false;
  ui.msg.replaceChildren(el('div', {}, text));
  if (list.length) ui.msg.append(el('ul', {}, ...list.map((e) => el('li', {}, e))));
}

function dirty() {
  return JSON.stringify(cleanDraft(state.draft)) !== state.loaded;
}

function changed(structure = false) {
  if (structure) render();
  const problems = validateDraft(state.draft);
  ui.state.textContent = (dirty() ? 'Unsaved changes' : 'No changes') +
      (problems.length ? ` · ${problems.length} problem(s): ${problems[0]}` : '');
  ui.state.className = problems.length ? 'error' : 'muted';
  schedulePreview();
}

function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(renderPreview, 300);
}

function renderPreview() {
  if (preview) preview.destroy();
  preview = null;
  const id = state.widget;
  const w = id && state.draft.widgets[id];
  ui.preview.replaceChildren(el('h2', {}, 'Preview'));
  if (!w) {
    ui.preview.append(el('p', { class: 'muted' }, 'Select a widget to preview it with live data.'));
    return;
  }
  preview = createWidget(id, clone(w), { defaultDb: state.draft.default_db || 'metrics',
    refreshSeconds: 10, getRange: () => null, chartHeight: 200 });
  ui.preview.append(preview.element);
  preview.refresh();
}

async function metricNames(db) {
  if (!db) return [];
  if (!state.metrics.has(db)) {
    state.metrics.set(db, listMetrics(db).catch(() => []));
  }
  return state.metrics.get(db);
}

function datalist(id, values) {
  return el('datalist', { id }, ...values.map((v) => el('option', { value: v })));
}

// A labelled input bound to obj[key]; kind: text | number | int | bool | select.
function field(label, obj, key, kind = 'text', options = {}) {
  let input;
  if (kind === 'select') {
    input = el('select', {}, ...options.choices.map(([v, t]) => el('option', { value: v }, t)));
    input.value = obj[key] ?? '';
  } else if (kind === 'bool') {
    input = el('input', { type: 'checkbox' });
    input.checked = obj[key] !== false;
  } else {
    input = el('input', { type: kind === 'text' ? 'text' : 'number', step: kind === 'int' ? '1' : 'any',
      placeholder: options.placeholder ?? '', list: options.list });
    input.value = obj[key] ?? '';
  }
  input.setAttribute('aria-label', options.aria ?? label);
  const apply = () => {
    let v;
    if (kind === 'bool') v = input.checked;
    else if (kind === 'number' || kind === 'int') v = input.value === '' ? undefined : Number(input.value);
    else v = input.value === '' ? undefined : input.value;
    if (v === undefined) delete obj[key];
    else obj[key] = v;
    if (options.after) options.after(v);
    changed(Boolean(options.structure));
  };
  input.addEventListener(kind === 'select' || kind === 'bool' ? 'change' : 'input', apply);
  return el('label', { class: kind === 'bool' ? 'inline' : '' }, label, input);
}

function move(list, i, d) {
  const j = i + d;
  if (j < 0 || j >= list.length) return;
  [list[i], list[j]] = [list[j], list[i]];
}

function iconBtn(text, label, onclick) {
  return el('button', { type: 'button', class: 'icon', 'aria-label': label, title: label, onclick }, text);
}

function usedIn(id) {
  return state.draft.groups.filter((g) => (g.widgets || []).includes(id)).length;
}

function renderGroups() {
  const groups = state.draft.groups;
  const list = el('ul', { class: 'list' }, ...groups.map((g, i) => el('li', { class: i === state.group ? 'selected' : '' },
      el('button', { type: 'button', class: 'name', onclick: () => { state.group = i; state.widget = g.widgets?.[0] ?? null; render(); } },
          g.label || g.id, el('small', {}, `${(g.widgets || []).length} widgets`)),
      iconBtn('▲', `Move group ${g.label || g.id} up`, () => { move(groups, i, -1); state.group = Math.max(0, i - 1); changed(true); }),
      iconBtn('▼', `Move group ${g.label || g.id} down`, () => { move(groups, i, 1); state.group = Math.min(groups.length - 1, i + 1); changed(true); }),
      iconBtn('✕', `Remove group ${g.label || g.id}`, () => {
        if (!confirm(`Remove group "${g.label || g.id}"? Its widgets stay available.`)) return;
        groups.splice(i, 1);
        state.group = Math.max(0, Math.min(state.group, groups.length - 1));
        changed(true);
      }))));
  const add = el('button', { type: 'button', onclick: () => {
    const id = uniqueId('group', groups.map((g) => g.id));
    groups.push({ id, label: 'New group', widgets: [] });
    state.group = groups.length - 1;
    changed(true);
  } }, '+ Add group');
  const g = groups[state.group];
  const edit = g ? el('div', { class: 'fields' },
      field('Group ID', g, 'id', 'text', { aria: 'Group ID' }),
      field('Label', g, 'label', 'text', { aria: 'Group label', structure: false })) : null;
  ui.groups.replaceChildren(el('h2', {}, 'Groups'), list, add, edit);
}

function renderWidgets() {
  const g = state.draft.groups[state.group];
  ui.widgets.replaceChildren(el('h2', {}, g ? `Widgets of ${g.label || g.id}` : 'Widgets'));
  if (!g) return;
  g.widgets = g.widgets || [];
  const list = el('ul', { class: 'list' }, ...g.widgets.map((id, i) => {
    const w = state.draft.widgets[id] || {};
    const n = usedIn(id);
    return el('li', { class: id === state.widget ? 'selected' : '' },
        el('button', { type: 'button', class: 'name', onclick: () => { state.widget = id; render(); } },
            w.title || id, el('small', {}, `${TYPE_NAMES[w.type] ?? w.type}${w.refresh_sec ? ` · ${w.refresh_sec}s` : ''}` +
                `${isChart(w) ? ` · ${w.lookback ?? '?'} / ${w.interval ?? '?'}` : ''}${n > 1 ? ` · shared by ${n} groups` : ''}`)),
        iconBtn('▲', `Move ${id} up`, () => { move(g.widgets, i, -1); changed(true); }),
        iconBtn('▼', `Move ${id} down`, () => { move(g.widgets, i, 1); changed(true); }),
        iconBtn('⊕', `Duplicate ${id}`, () => {
          const copy = uniqueId(`${id}_copy`, Object.keys(state.draft.widgets));
          state.draft.widgets[copy] = clone(w);
          state.draft.widgets[copy].title = `${w.title || id} (copy)`;
          g.widgets.splice(i + 1, 0, copy);
          state.widget = copy;
          changed(true);
        }),
        iconBtn('✕', `Remove ${id} from this group`, () => {
          g.widgets.splice(i, 1);
          if (usedIn(id) === 0) delete state.draft.widgets[id];
          if (state.widget === id) state.widget = g.widgets[0] ?? null;
          changed(true);
        }));
  }));
  const add = el('button', { type: 'button', onclick: () => {
    const id = uniqueId('new_widget', Object.keys(state.draft.widgets));
    state.draft.widgets[id] = { type: 'numbers', title: 'New widget', series: [{ label: 'Value', metric: '' }] };
    g.widgets.push(id);
    state.widget = id;
    changed(true);
  } }, '+ New widget');
  const others = Object.keys(state.draft.widgets).filter((id) => !g.widgets.includes(id));
  const shared = el('select', { 'aria-label': 'Add a shared widget' },
      el('option', { value: '' }, 'Add shared widget…'),
      ...others.map((id) => el('option', { value: id }, `${state.draft.widgets[id].title || id} (${id})`)));
  shared.addEventListener('change', () => {
    if (!shared.value) return;
    g.widgets.push(shared.value);
    state.widget = shared.value;
    changed(true);
  });
  ui.widgets.append(list, el('div', { class: 'toolbar' }, add, others.length ? shared : null));
}

function seriesCard(w, s, i) {
  s.transform = s.transform || {};
  s.thresholds = s.thresholds || {};
  const band = w.type === 'aggregate_band';
  const metricsId = `metrics-${i}`;
  const list = datalist(metricsId, []);
  // The suggestions follow the series' database as it is typed; a late answer for a database
  // typed over is dropped.
  const suggest = (db) => metricNames(db || state.draft.default_db).then((names) => {
    if ((s.db || undefined) !== (db || undefined)) return;
    list.replaceChildren(...names.slice(0, 5000).map((v) => el('option', { value: v })));
  });
  suggest(s.db);
  const title = el('strong', {}, s.label || s.metric || `Series ${i + 1}`);
  return el('div', { class: 'series-card' },
      el('div', { class: 'row' }, title,
          iconBtn('▲', `Move series ${i + 1} up`, () => { move(w.series, i, -1); changed(true); }),
          iconBtn('▼', `Move series ${i + 1} down`, () => { move(w.series, i, 1); changed(true); }),
          iconBtn('⊕', `Duplicate series ${i + 1}`, () => {
            const c = clone(s);
            c.label = `${s.label || s.metric || 'Series'} copy`;
            w.series.splice(i + 1, 0, c);
            changed(true);
          }),
          iconBtn('✕', `Remove series ${i + 1}`, () => { w.series.splice(i, 1); changed(true); })),
      el('div', { class: 'fields' },
          field('Label', s, 'label', 'text', { aria: `Series ${i + 1} label`, after: (v) => { title.textContent = v || s.metric || `Series ${i + 1}`; } }),
          field('Metric', s, 'metric', 'text', { aria: `Series ${i + 1} metric`, list: metricsId }),
          field('Database', s, 'db', 'text', { aria: `Series ${i + 1} database`, list: 'dbs', placeholder: `inherit (${state.draft.default_db || 'metrics'})`, after: suggest }),
          band ? field('Role', s, 'role', 'select', { choices: [['', 'shortcut (min/avg/max)'], ['min', 'min'], ['avg', 'avg'], ['max', 'max']] }) : null,
          band ? null : field('Aggregate', s, 'aggregate', 'select', { aria: `Series ${i + 1} aggregate`, choices: [['', 'none'], ...AGGREGATES.map((a) => [a, a])] }),
          isChart(w) ? null : field('Window', s, 'window', 'text', { placeholder: '5m (with aggregate)' }),
          field('Color', s, 'color', 'text', { placeholder: '#14b8a6' }),
          field('Factor', s.transform, 'factor', 'number', { placeholder: '1' }),
          field('Offset', s.transform, 'offset', 'number', { placeholder: '0' }),
          field('Unit', s.transform, 'unit', 'text', { list: 'units', placeholder: 'bytes, %, s, " °C"' }),
          field('Decimals', s.transform, 'decimals', 'int', { placeholder: '1' }),
          field('Format', s.transform, 'format', 'text', { placeholder: '{value} or {duration}' }),
          field('Threshold', s.thresholds, 'direction', 'select', { choices: [['', 'none'], ['above', 'above'], ['below', 'below']] }),
          field('Warning', s.thresholds, 'warning', 'number'),
          field('Critical', s.thresholds, 'critical', 'number')),
      list);
}

// The events of a widget: an event log's rows, or a chart's markers (a checkbox adds or
// removes them).
function eventsFields(w) {
  const log = w.type === 'event_log';
  const box = el('div', { class: 'series-card events-card' });
  if (!log) {
    const on = el('input', { type: 'checkbox', 'aria-label': 'Event markers' });
    on.checked = Boolean(w.events);
    on.addEventListener('change', () => {
      if (on.checked) w.events = w.events || {};
      else delete w.events;
      changed(true);
    });
    box.append(el('label', { class: 'inline' }, on, 'Event markers: a line on the chart for each event of the range'));
    if (!w.events) return box;
  }
  w.events = w.events || {};
  const e = w.events;
  const fallback = w.series?.[0]?.db || state.draft.default_db || 'metrics';
  box.append(el('div', { class: 'fields' },
      field('Events database', e, 'db', 'text', { aria: 'Events database', list: 'dbs', placeholder: `inherit (${fallback})` }),
      field('Event name', e, 'name', 'text', { aria: 'Event name', placeholder: 'every name' }),
      field(log ? 'Rows' : 'Markers at most', e, 'limit', 'int', { aria: 'Events limit',
        placeholder: String(log ? EVENT_LIMITS.event_log : EVENT_LIMITS.chart) }),
      log ? null : field('Markers shown at first', e, 'show', 'bool', { aria: 'Markers shown at first' })));
  return box;
}

function renameWidget(oldId, text) {
  const id = slugify(text);
  if (id === oldId) return;
  const fresh = uniqueId(id, Object.keys(state.draft.widgets).filter((k) => k !== oldId));
  const entries = Object.entries(state.draft.widgets).map(([k, v]) => [k === oldId ? fresh : k, v]);
  state.draft.widgets = Object.fromEntries(entries);
  for (const g of state.draft.groups) g.widgets = (g.widgets || []).map((x) => (x === oldId ? fresh : x));
  state.widget = fresh;
  changed(true);
}

function renderWidgetEditor() {
  const id = state.widget;
  const w = id && state.draft.widgets[id];
  ui.editor.replaceChildren(el('h2', {}, 'Widget'));
  if (!w) {
    ui.editor.append(el('p', { class: 'muted' }, 'Select or add a widget.'));
    return;
  }
  const log = w.type === 'event_log';
  if (!log) w.series = w.series || [];
  const idInput = el('input', { type: 'text', value: id, 'aria-label': 'Widget ID' });
  idInput.addEventListener('change', () => renameWidget(id, idInput.value));
  const n = usedIn(id);
  ui.editor.append(
      el('div', { class: 'toolbar' }, el('span', { class: 'badge' }, `used in ${n} group${n === 1 ? '' : 's'}`)),
      el('div', { class: 'fields' },
          el('label', {}, 'Widget ID', idInput),
          field('Title', w, 'title', 'text', { aria: 'Widget title' }),
          field('Type', w, 'type', 'select', { aria: 'Widget type', structure: true,
            choices: WIDGET_TYPES.map((t) => [t, TYPE_NAMES[t]]),
            after: (t) => {
              if ((t === 'line_chart' || t === 'aggregate_band')) {
                w.lookback = w.lookback || '6h';
                w.interval = w.interval || '1m';
              }
              // An event log lists events, not series; the series come back on a change back.
              if (t === 'event_log') {
                if (w.series?.length) state.stashedSeries.set(id, w.series);
                delete w.series;
                delete w.interval;
                w.events = w.events || {};
                w.lookback = w.lookback || '1d';
              } else {
                if (!w.series?.length) w.series = state.stashedSeries.get(id) ?? [{ label: 'Value', metric: '' }];
                if (!isChart(w)) delete w.events;
                else if (w.events) delete w.events.limit;
              }
            } }),
          field('Refresh (s)', w, 'refresh_sec', 'int', { placeholder: 'global default' }),
          field('Auto refresh', w, 'auto_refresh', 'bool'),
          field('Lookback', w, 'lookback', 'text', { placeholder: isChart(w) ? '6h' : log ? '1d' : '1h (aggregates)' }),
          isChart(w) ? field('Interval', w, 'interval', 'text', { placeholder: '1m' }) : null),
      ...(log || isChart(w) ? [el('h3', {}, log ? 'Events' : 'Event markers'), eventsFields(w)] : []));
  if (log) return;
  ui.editor.append(
      el('h3', {}, `Series (${w.series.length})`),
      ...w.series.map((s, i) => seriesCard(w, s, i)),
      el('button', { type: 'button', onclick: () => { w.series.push({ label: `Series ${w.series.length + 1}`, metric: '' }); changed(true); } }, '+ Add series'));
}

function render() {
  renderGroups();
  renderWidgets();
  renderWidgetEditor();
  ui.title.value = state.draft.title ?? '';
  ui.db.value = state.draft.default_db ?? '';
}

function load(config) {
  state.draft = clone(config);
  state.draft.groups = state.draft.groups || [];
  state.draft.widgets = state.draft.widgets || {};
  state.loaded = JSON.stringify(cleanDraft(state.draft));
  state.group = Math.min(state.group, Math.max(0, state.draft.groups.length - 1));
  const g = state.draft.groups[state.group];
  if (!state.widget || !state.draft.widgets[state.widget]) state.widget = g?.widgets?.[0] ?? null;
  render();
  changed();
}

async function onValidate() {
  try {
    await validateDashboard(cleanDraft(state.draft));
    message('ok', 'The server accepts this dashboard.');
  } catch (e) {
    message('error', e.errors ? `The server refuses this dashboard: ${e.message}` : e.message, e.errors ?? []);
  }
}

async function onSave() {
  ui.save.disabled = true;
  try {
    const r = await saveDashboard(cleanDraft(state.draft));
    load(r.config);
    message('ok', r.backup_path ? `Saved. The previous file is kept as ${r.backup_path} in the plugin's backups/ directory.` : 'Saved.');
  } catch (e) {
    message('error', e.errors ? `Not saved: ${e.message}` : e.message, e.errors ?? []);
  } finally {
    ui.save.disabled = false;
  }
}

function onRevert() {
  load(JSON.parse(state.loaded));
  message('ok', 'Reverted to the last loaded or saved dashboard.');
}

function onExport() {
  const blob = new Blob([JSON.stringify(cleanDraft(state.draft), null, 2) + '\n'], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'dashboard.json' });
  a.click();
  URL.revokeObjectURL(a.href);
}

// Import: a dashboard pasted or uploaded replaces the current one once it passes the editor's
// and the server's checks; the save keeps the previous file as a backup (as Save does).
function importDialog() {
  const text = el('textarea', { id: 'import-text', rows: '12', spellcheck: 'false',
    'aria-label': 'Dashboard JSON to import', placeholder: '{"title": "Home", "groups": [...], "widgets": {...}}' });
  const file = el('input', { type: 'file', accept: '.json,application/json', id: 'import-file',
    'aria-label': 'Dashboard JSON file' });
  const problems = el('div', { class: 'banner error', hidden: '', role: 'alert', id: 'import-error' });
  const show = (head, list = []) => {
    problems.hidden = false;
    problems.replaceChildren(el('div', {}, head));
    if (list.length) problems.append(el('ul', {}, ...list.map((e) => el('li', {}, e))));
  };
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    if (f.size > 4 * 1024 * 1024) {
      show(`${f.name} is ${Math.round(f.size / 1024)} KiB: a dashboard file is at most 4096 KiB`);
      return;
    }
    text.value = await f.text();
    problems.hidden = true;
  });
  const dialog = el('dialog', { id: 'import-dialog', 'aria-labelledby': 'import-title' });
  const go = el('button', { type: 'button', class: 'primary', onclick: async () => {
    const parsed = parseDashboardJSON(text.value);
    if (parsed.error) {
      show(parsed.error);
      return;
    }
    const local = validateDraft(parsed.doc);
    if (local.length) {
      show(`Not imported: ${local.length} problem(s)`, local);
      return;
    }
    go.disabled = true;
    try {
      const r = await saveDashboard(parsed.doc);
      dialog.close();
      state.group = 0;
      state.widget = null;
      load(r.config);
      message('ok', r.backup_path ? `Imported and saved. The previous dashboard is kept as ${r.backup_path} in the plugin's backups/ directory.`
        : 'Imported and saved.');
    } catch (e) {
      show(e.errors ? `Not imported: the server refuses this dashboard: ${e.message}` : `Not imported: ${e.message}`, e.errors ?? []);
    } finally {
      go.disabled = false;
    }
  } }, 'Import and save');
  dialog.append(el('h2', { id: 'import-title' }, 'Import a dashboard'),
      el('p', { class: 'muted' }, 'Paste a dashboard JSON or choose a file. It replaces the current dashboard once it is valid; the current one is kept as a backup.'),
      el('label', {}, 'File', file), el('label', {}, 'JSON', text), problems,
      el('div', { class: 'toolbar' }, go,
          el('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
  return { dialog, open: () => { problems.hidden = true; dialog.showModal(); text.focus(); } };
}

async function main() {
  await initPage('editor', 'Editor');
  const root = document.getElementById('main');
  let config;
  try {
    config = await getDashboard();
  } catch (e) {
    root.replaceChildren(el('div', { class: 'banner error' }, `Cannot load the dashboard: ${e.message}`));
    return;
  }
  state.dbs = await listDatabases(true).catch(() => []);
  ui.title = el('input', { type: 'text', 'aria-label': 'Dashboard title' });
  ui.title.addEventListener('input', () => { state.draft.title = ui.title.value; changed(); });
  ui.db = el('input', { type: 'text', list: 'dbs', 'aria-label': 'Default database', placeholder: 'metrics' });
  ui.db.addEventListener('input', () => {
    if (ui.db.value) state.draft.default_db = ui.db.value;
    else delete state.draft.default_db;
    changed();
  });
  ui.save = el('button', { type: 'button', class: 'primary', onclick: onSave }, 'Save');
  const token = el('input', { type: 'password', 'aria-label': 'Admin token', placeholder: 'admin token (if required)',
    autocomplete: 'off', value: sessionStorage.getItem('nanotdb.admin_token') ?? '' });
  token.addEventListener('input', () => {
    if (token.value) sessionStorage.setItem('nanotdb.admin_token', token.value);
    else sessionStorage.removeItem('nanotdb.admin_token');
  });
  ui.msg = el('div', { class: 'banner', hidden: '', role: 'status', 'aria-live': 'polite', id: 'editor-message' });
  const importer = importDialog();
  ui.state = el('span', { class: 'muted', id: 'editor-state' });
  ui.groups = el('section', { class: 'section' });
  ui.widgets = el('section', { class: 'section' });
  ui.editor = el('section', { class: 'section' });
  ui.preview = el('section', { class: 'preview' });
  root.replaceChildren(
      el('h1', { style: 'font-size:18px;margin-bottom:10px' }, 'Dashboard editor'),
      el('div', { class: 'toolbar' },
          el('label', { class: 'grow' }, 'Dashboard title', ui.title),
          el('label', {}, 'Default database', ui.db),
          el('button', { type: 'button', onclick: onValidate }, 'Validate'),
          ui.save,
          el('button', { type: 'button', onclick: onRevert }, 'Revert'),
          el('button', { type: 'button', onclick: onExport, title: 'Download the draft as JSON' }, 'Export'),
          el('button', { type: 'button', onclick: () => importer.open(), title: 'Replace the dashboard with a JSON pasted or uploaded' }, 'Import…'),
          el('label', {}, 'Admin token', token)),
      ui.state, ui.msg,
      datalist('dbs', state.dbs), datalist('units', AUTO_UNITS),
      el('div', { class: 'editor' }, ui.groups, ui.widgets, el('div', {}, ui.editor, ui.preview)),
      importer.dialog);
  load(config);
  window.addEventListener('beforeunload', (e) => { if (dirty()) e.preventDefault(); });
}

main();
