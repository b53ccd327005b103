// The dashboard page (/, /dashboard): groups of dashboard.json as tabs (wide) or an accordion
// (phones), one card per widget, a shared time range (widget default, presets, absolute from/to,
// zoomed) and refresh period kept in the URL, global refresh and pause, and a kiosk mode
// (?kiosk: no header or toolbar). Only widgets of visible groups refresh.
import { getDashboard } from './api.js';
import { initPage } from './nav.js';
import { PRESETS, absoluteRange, describeRange, presetLabel, rangeFromParams, rangeToParams,
  resolveRange, shiftRange, toLocalInput, zoomOut } from './timerange.js';
import { createWidget, el } from './widgets.js';

const wide = window.matchMedia('(min-width: 700px)');
const state = { range: null, paused: false, active: null, groups: [], widgets: [], refresh: null,
  widgetRanges: {} };

// The refresh choices: '' each widget's own period, 'off', or seconds.
const REFRESH = [['', 'Widget default'], ['off', 'Off'], ['5', '5s'], ['10', '10s'], ['30', '30s'],
  ['60', '1m'], ['300', '5m']];

function refreshFromParams(params) {
  const r = params.get('refresh') ?? '';
  if (r === 'off') return 0;
  return REFRESH.some(([v]) => v === r && v !== '' && v !== 'off') ? Number(r) : null;
}

function syncUrl() {
  const params = new URLSearchParams(location.search);
  rangeToParams(state.range, params);
  if (state.active) params.set('group', state.active);
  if (state.refresh === null) params.delete('refresh');
  else params.set('refresh', state.refresh === 0 ? 'off' : String(state.refresh));
  // A widget's own range: ?r.<widget id>=7d.
  for (const [id, last] of Object.entries(state.widgetRanges)) {
    if (last) params.set(`r.${id}`, last);
    else params.delete(`r.${id}`);
  }
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

function visible(widget) {
  const g = widget.group;
  return wide.matches ? g.id === state.active : g.section.classList.contains('open');
}

function refreshVisible() {
  for (const w of state.widgets) if (visible(w)) w.refresh();
}

function setRange(range) {
  state.range = range;
  syncUrl();
  renderRangeControls();
  refreshVisible();
}

let rangeBox;
function renderRangeControls() {
  const select = el('select', { 'aria-label': 'Time range', id: 'range' },
      el('option', { value: '' }, 'Widget default'),
      ...PRESETS.map((p) => el('option', { value: p }, presetLabel(p))));
  if (state.range && !state.range.last) {
    select.append(el('option', { value: 'fixed' }, 'Zoomed range'));
    select.value = 'fixed';
  } else {
    select.value = state.range?.last ?? '';
  }
  select.addEventListener('change', () => {
    if (select.value === 'fixed') return;
    setRange(select.value ? { last: select.value } : null);
  });
  const now = () => resolveRange(state.range, Date.now() / 1000, state.range?.last ?? '1h');
  // Absolute from/to, filled with the range shown now.
  const shown = now();
  const from = el('input', { type: 'datetime-local', id: 'range-from', 'aria-label': 'From',
    value: toLocalInput(shown.start) });
  const to = el('input', { type: 'datetime-local', id: 'range-to', 'aria-label': 'To',
    value: toLocalInput(shown.end) });
  const rangeError = el('span', { class: 'error', role: 'alert' });
  const apply = el('button', { type: 'button', title: 'Show the range from–to on every chart',
    onclick: () => {
      const r = absoluteRange(from.value, to.value);
      if (r.error) rangeError.textContent = r.error;
      else setRange(r);
    } }, 'Apply');
  const refresh = el('select', { 'aria-label': 'Auto-refresh', id: 'refresh' },
      ...REFRESH.map(([v, text]) => el('option', { value: v }, text)));
  refresh.value = state.refresh === null ? '' : state.refresh === 0 ? 'off' : String(state.refresh);
  refresh.addEventListener('change', () => {
    state.refresh = refresh.value === '' ? null : refresh.value === 'off' ? 0 : Number(refresh.value);
    syncUrl();
    for (const w of state.widgets) w.start();
  });
  const live = state.range && !state.range.last
    ? el('button', { type: 'button', class: 'primary', onclick: () => setRange(null),
      title: 'Back to live (widget default ranges)' }, 'Back to live')
    : null;
  const pause = el('button', { type: 'button', 'aria-pressed': String(state.paused),
    title: 'Pause / resume auto-refresh of every widget', onclick: () => {
      state.paused = !state.paused;
      renderRangeControls();
    } }, state.paused ? '▶ Resume' : '‖ Pause');
  rangeBox.replaceChildren(...[
      el('label', { class: 'inline' }, 'Range', select),
      el('details', { class: 'custom-range', ...(state.range && !state.range.last ? { open: '' } : {}) },
          el('summary', {}, 'From – to'),
          el('div', { class: 'custom-range-body' },
              el('label', { class: 'inline' }, 'From', from),
              el('label', { class: 'inline' }, 'To', to),
              apply)),
      el('button', { type: 'button', class: 'icon', title: 'Earlier', 'aria-label': 'Earlier',
        onclick: () => setRange(shiftRange(now(), -1)) }, '◀'),
      el('button', { type: 'button', class: 'icon', title: 'Later', 'aria-label': 'Later',
        onclick: () => setRange(shiftRange(now(), 1)) }, '▶'),
      el('button', { type: 'button', class: 'icon', title: 'Zoom out', 'aria-label': 'Zoom out',
        onclick: () => setRange(zoomOut(now())) }, '−'),
      live,
      el('button', { type: 'button', title: 'Refresh the visible widgets now',
        onclick: refreshVisible }, '↻ Refresh'),
      el('label', { class: 'inline' }, 'Every', refresh),
      pause,
      el('span', { class: 'muted' }, describeRange(state.range)),
      rangeError,
  ].filter(Boolean));
}

function activate(id, focus = false) {
  state.active = id;
  for (const g of state.groups) {
    const on = g.id === id;
    g.section.classList.toggle('active', on);
    g.tab.setAttribute('aria-selected', String(on));
    g.tab.tabIndex = on ? 0 : -1;
    if (on && focus) g.tab.focus();
  }
  syncUrl();
  refreshVisible();
}

async function main() {
  const config = await initPage('dashboard', 'Dashboard');
  const root = document.getElementById('main');
  let dash;
  try {
    dash = await getDashboard();
  } catch (e) {
    root.replaceChildren(el('div', { class: 'banner error' }, `Cannot load the dashboard: ${e.message}`));
    return;
  }
  const params = new URLSearchParams(location.search);
  state.range = rangeFromParams(params);
  state.refresh = refreshFromParams(params);
  // Kiosk (a wall screen, a TV): only the groups and their cards; ?kiosk=0 or no kiosk leaves it.
  document.body.classList.toggle('kiosk', params.has('kiosk') && params.get('kiosk') !== '0');
  document.title = `${dash.title} · ${config.title}`;
  rangeBox = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Time range and refresh' });
  const tabs = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Groups' });
  const body = el('div', { class: 'groups' });
  root.replaceChildren(el('h1', { class: 'sr-title' }, dash.title), rangeBox, tabs, body);
  root.querySelector('.sr-title').style.cssText = 'font-size:18px;margin:0 0 10px';

  const ctx = {
    defaultDb: dash.default_db || 'metrics',
    refreshSeconds: config.refresh_seconds || 10,
    getRange: () => state.range,
    onZoom: (from, to) => setRange(from === null ? null : { from, to }),
    isPaused: () => state.paused,
    isVisible: (w) => visible(w),
    refreshChoice: () => state.refresh,
    syncKey: 'dashboard',
    widgetRange: (id) => {
      const last = params.get(`r.${id}`);
      return PRESETS.includes(last) ? { last } : null;
    },
    setWidgetRange: (id, last) => {
      state.widgetRanges[id] = last;
      syncUrl();
    },
  };
  (dash.groups || []).forEach((g, i) => {
    const tab = el('button', { type: 'button', role: 'tab', id: `tab-${g.id}`,
      'aria-controls': `group-${g.id}`, onclick: () => activate(g.id) }, g.label || g.id);
    tab.addEventListener('keydown', (e) => {
      const dir = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!dir) return;
      const n = state.groups.length;
      activate(state.groups[(i + dir + n) % n].id, true);
    });
    const head = el('button', { type: 'button', class: 'group-head', 'aria-expanded': 'false' },
        g.label || g.id);
    const groupBody = el('div', { class: 'group-body' });
    const section = el('section', { class: 'group', id: `group-${g.id}`, role: 'tabpanel',
      'aria-labelledby': `tab-${g.id}` }, head, groupBody);
    const group = { id: g.id, tab, section };
    head.addEventListener('click', () => {
      const open = !section.classList.contains('open');
      section.classList.toggle('open', open);
      head.setAttribute('aria-expanded', String(open));
      if (open) for (const w of state.widgets) if (w.group === group) w.refresh();
    });
    for (const wid of g.widgets || []) {
      const def = dash.widgets?.[wid];
      if (!def) continue;
      const w = createWidget(wid, def, ctx);
      w.group = group;
      groupBody.append(w.element);
      state.widgets.push(w);
    }
    tabs.append(tab);
    body.append(section);
    state.groups.push(group);
  });
  if (!state.groups.length) {
    body.append(el('div', { class: 'banner' }, 'This dashboard has no groups. Add some in the editor.'));
    return;
  }
  renderRangeControls();
  const wanted = params.get('group');
  const first = state.groups.find((g) => g.id === wanted) ?? state.groups[0];
  first.section.classList.add('open');
  first.section.querySelector('.group-head').setAttribute('aria-expanded', 'true');
  for (const w of state.widgets) w.start();
  activate(first.id);
  wide.addEventListener('change', refreshVisible);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refreshVisible(); });
}

main();
