// Dashboard widgets (number, numbers, line_chart, aggregate_band, event_log): one card each with
// its own refresh timer, pause and manual refresh; charts with "events" mark them (⚑ shows or
// hides the markers). Used by the dashboard page and the editor preview.
import { countEvents, listMetrics, queryEvents, queryLast, queryRange, rollupIntervals } from './api.js';
import { createChart } from './chart.js';
import { eventSeconds, eventValueText, nameCounts, payloadPretty, payloadText } from './events.js';
import { applyTransform, clockTime, dateTime, formatSeriesValue, niceStep, parseDuration, severity }
  from './format.js';
import { expandSeries, isPattern } from './series.js';
import { PRESETS, presetLabel, resolveRange } from './timerange.js';

export const TYPE_NAMES = { number: 'Single number', numbers: 'Snapshot (numbers)',
  line_chart: 'Line chart', aggregate_band: 'Aggregate band', event_log: 'Event log' };

// Rows of an event log and markers of a chart unless the widget's "events" sets a limit.
export const EVENT_LIMITS = { event_log: 100, chart: 200 };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
export { el };

function seriesDb(s, ctx) {
  return s.db || s.database || ctx.defaultDb || 'metrics';
}
function seriesMetric(s) {
  return s.metric || s.query || (s.measurement && s.field ? `${s.measurement}.${s.field}` : '');
}
function seriesLabel(s, i) {
  return s.label || (s.role ? s.role[0].toUpperCase() + s.role.slice(1) : seriesMetric(s)) ||
      `Series ${i + 1}`;
}

// Metric names per database, for series patterns ("net.*.rx_kbps"): asked at most once a minute
// per database, shared by every widget of the page.
const NAMES_TTL_MS = 60000;
const namesCache = new Map();
function metricNames(db) {
  const hit = namesCache.get(db);
  if (hit && Date.now() - hit.at < NAMES_TTL_MS) return hit.names;
  const names = listMetrics(db).catch((e) => {
    namesCache.delete(db);
    throw e;
  });
  namesCache.set(db, { at: Date.now(), names });
  return names;
}

// The series of a widget with each pattern replaced by the metrics it matches now.
async function resolveSeries(list, ctx) {
  const dbs = [...new Set(list.filter((s) => isPattern(seriesMetric(s))).map((s) => seriesDb(s, ctx)))];
  if (!dbs.length) return list;
  const names = new Map(await Promise.all(dbs.map(async (db) => [db, await metricNames(db)])));
  return expandSeries(list, (s) => names.get(seriesDb(s, ctx)), seriesMetric);
}

// Expands the band shortcut (one series without roles) into min, avg and max.
export function bandSeries(widget) {
  const list = widget.series ?? [];
  if (list.length === 1 && !list[0].role) {
    const base = list[0];
    return ['min', 'avg', 'max'].map((role) => ({ ...base, role,
      label: `${base.label || seriesMetric(base)} ${role}` }));
  }
  return list;
}

class Widget {
  constructor(id, widget, ctx) {
    this.id = id;
    this.w = widget;
    this.ctx = ctx;
    this.paused = widget.auto_refresh === false;
    this.inflight = false;
    this.timer = null;
    this.chart = null;
    const pauseBtn = el('button', { class: 'icon', type: 'button', 'aria-label': 'Pause auto-refresh',
      title: 'Pause / resume auto-refresh', onclick: () => this.setPaused(!this.paused) }, '‖');
    this.pauseBtn = pauseBtn;
    this.status = el('span', { class: 'status' });
    this.body = el('div', { class: 'card-body' });
    this.foot = el('footer', { class: 'card-foot' }, 'loading…');
    // A chart with "events" marks them; ⚑ shows or hides the markers ("show": false hides
    // them at first).
    const chart = widget.type === 'line_chart' || widget.type === 'aggregate_band';
    this.marking = chart && Boolean(widget.events);
    this.markersShown = widget.events?.show !== false;
    this.markerBtn = this.marking
      ? el('button', { class: 'icon marker-toggle', type: 'button', 'aria-label': 'Event markers',
        title: 'Show / hide event markers', onclick: () => this.setMarkersShown(!this.markersShown) }, '⚑')
      : null;
    // Its own time range (a preset, or zoomed), over the page's: charts and event logs on the
    // dashboard (ctx.widgetRange).
    this.ownRange = null;
    this.rangeSel = null;
    if ((chart || widget.type === 'event_log') && ctx.widgetRange) {
      this.ownRange = ctx.widgetRange(id);
      this.rangeSel = el('select', { class: 'widget-range', 'aria-label': `Time range of ${widget.title || id}`,
        title: "This widget's own time range; Page range follows the toolbar" });
      this.rangeSel.addEventListener('change', () => {
        const v = this.rangeSel.value;
        if (v === 'zoomed') return;
        this.setOwnRange(v ? { last: v } : null);
      });
      this.renderRangeSel();
    }
    this.element = el('section', { class: `card card-${widget.type}`, 'data-widget': id },
        el('header', { class: 'card-head' },
            el('h3', {}, widget.title || id), this.status, this.rangeSel, this.markerBtn,
            el('button', { class: 'icon', type: 'button', 'aria-label': 'Refresh now',
              title: 'Refresh now', onclick: () => this.refresh() }, '↻'),
            pauseBtn),
        this.body, this.foot);
    if (this.markerBtn) this.markerBtn.setAttribute('aria-pressed', String(this.markersShown));
    this.updatePause();
  }

  // The page's choice (0: off) wins over the widget's refresh_sec and the plugin default.
  refreshSeconds() {
    const chosen = this.ctx.refreshChoice?.();
    if (chosen === 0) return 0;
    const s = chosen || this.w.refresh_sec || this.ctx.refreshSeconds || 10;
    return Math.max(5, s);
  }

  start() {
    this.stop();
    if (!this.refreshSeconds()) return;
    this.timer = setInterval(() => {
      if (this.paused || this.ctx.isPaused?.() || document.hidden) return;
      if (this.ctx.isVisible && !this.ctx.isVisible(this)) return;
      this.refresh();
    }, this.refreshSeconds() * 1000);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  destroy() {
    this.stop();
    if (this.chart) this.chart.destroy();
    this.element.remove();
  }

  setPaused(p) {
    this.paused = p;
    this.updatePause();
  }

  renderRangeSel() {
    const fixed = this.ownRange && !this.ownRange.last;
    this.rangeSel.replaceChildren(el('option', { value: '' }, 'Page range'),
        ...PRESETS.map((p) => el('option', { value: p }, presetLabel(p))),
        ...(fixed ? [el('option', { value: 'zoomed' }, 'Zoomed')] : []));
    this.rangeSel.value = fixed ? 'zoomed' : this.ownRange?.last ?? '';
    this.rangeSel.classList.toggle('own', Boolean(this.ownRange));
  }

  // range: {last} | {from, to} | null (the page's range again). A preset is kept in the URL.
  setOwnRange(range) {
    if (range?.last || !range) this.ownPreset = range?.last ?? null;
    this.ownRange = range;
    this.ctx.setWidgetRange?.(this.id, range?.last ?? null);
    this.renderRangeSel();
    this.refresh();
  }

  // A zoom (or a double-click: from null) on a widget with its own range stays in that widget.
  zoom(from, to) {
    if (!this.ownRange) {
      this.ctx.onZoom?.(from, to);
      return;
    }
    const preset = this.ownPreset ?? this.ownRange.last;
    this.ownPreset = preset;
    this.ownRange = from === null ? (preset ? { last: preset } : null) : { from, to };
    this.renderRangeSel();
    this.refresh();
  }

  // The range asked for: the widget's own, else the page's (null: the widget's lookback).
  askedRange() {
    return this.ownRange ?? this.ctx.getRange?.() ?? null;
  }

  setMarkersShown(show) {
    this.markersShown = show;
    this.markerBtn.setAttribute('aria-pressed', String(show));
    this.chart?.showEvents(show);
  }

  updatePause() {
    this.pauseBtn.textContent = this.paused ? '▶' : '‖';
    this.pauseBtn.setAttribute('aria-pressed', String(this.paused));
    this.element.classList.toggle('paused', this.paused);
  }

  // A refresh asked for while one runs (a range change, ↻) is run as soon as it ends, so the
  // last request always draws what the page asks for now.
  async refresh() {
    if (this.inflight) {
      this.again = true;
      return;
    }
    this.inflight = true;
    this.again = false;
    try {
      const note = await this.load();
      if (this.again) return;
      this.element.classList.remove('failed');
      this.foot.textContent = `updated ${clockTime(Date.now() / 1000)}${note ? ' · ' + note : ''}` +
          (this.paused ? ' · paused' : '');
    } catch (e) {
      this.element.classList.add('failed');
      this.foot.textContent = `refresh failed: ${e.message}`;
    } finally {
      this.inflight = false;
      if (this.again) this.refresh();
    }
  }

  async load() {
    if (this.w.type === 'number' || this.w.type === 'numbers') return this.loadNumbers();
    if (this.w.type === 'event_log') return this.loadEventLog();
    return this.loadChart();
  }

  eventsDb() {
    return this.w.events?.db || seriesDb(this.w.series?.[0] ?? {}, this.ctx);
  }

  // The event log: the newest events of the range, newest first, with a filter by name (the
  // names of the range with their counts; a widget's "name" fixes it).
  async loadEventLog() {
    const db = this.eventsDb();
    const fixed = this.w.events?.name;
    const limit = this.w.events?.limit || EVENT_LIMITS.event_log;
    const asked = this.askedRange();
    const range = resolveRange(asked, Date.now() / 1000, this.w.lookback || '1d');
    const span = asked ? (range.live ? asked.last : 'zoomed') : (this.w.lookback || '1d');
    let answer;
    let names = [];
    try {
      [answer, names] = await Promise.all([
        queryEvents(db, { start: range.start, end: range.end, limit, newest: true,
          name: fixed || this.logFilter || undefined }),
        fixed ? [] : countEvents(db, range).then(nameCounts),
      ]);
    } catch (e) {
      if (e.status !== 404) throw e;
      // No event was ever written to this database (it may not exist yet).
      this.body.replaceChildren(el('p', { class: 'nodata-note' },
          `No events in ${db} yet. Send some to POST /api/v1/events?db=${db}.`));
      return `${span} · no events`;
    }
    if (this.again) return '';
    // One filter for the card's life, its choices replaced only when they change (a refresh
    // does not close the list someone has open).
    if (!fixed && !this.logFilterSelect) {
      this.logFilterSelect = el('select', { class: 'event-filter', 'aria-label': 'Filter events by name' });
      this.logFilterSelect.addEventListener('change', () => {
        this.logFilter = this.logFilterSelect.value || null;
        this.refresh();
      });
    }
    const filter = this.logFilterSelect;
    if (filter) {
      const choices = [['', `All names (${names.reduce((s, n) => s + n.count, 0)})`],
        ...names.map((n) => [n.name, `${n.name} (${n.count})`])];
      if (this.logFilter && !names.some((n) => n.name === this.logFilter)) {
        choices.push([this.logFilter, `${this.logFilter} (0)`]);
      }
      const key = JSON.stringify(choices);
      if (key !== this.logFilterKey) {
        this.logFilterKey = key;
        filter.replaceChildren(...choices.map(([v, text]) => el('option', { value: v }, text)));
      }
      filter.value = this.logFilter ?? '';
    }
    const rows = answer.events.map((e) => {
      const payload = payloadText(e.payload);
      const cell = payload.length > 60
        ? el('details', {}, el('summary', {}, el('code', {}, `${payload.slice(0, 57)}…`)),
            el('pre', {}, payloadPretty(e.payload)))
        : el('code', {}, payload);
      return el('tr', { 'data-name': e.name },
          el('td', { class: 'event-time' }, dateTime(eventSeconds(e))),
          el('td', { class: 'event-name' }, e.name),
          el('td', { class: 'num' }, eventValueText(e.value)),
          el('td', { class: 'event-payload' }, cell));
    });
    const table = rows.length
      ? el('div', { class: 'table-wrap' }, el('table', { class: 'event-log' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Name'),
              el('th', { class: 'num' }, 'Value'), el('th', {}, 'Payload'))),
          el('tbody', {}, ...rows)))
      : el('p', { class: 'nodata-note' }, `No events${this.logFilter || fixed ? ` named ${fixed || this.logFilter}` : ''} in this range.`);
    if (filter && !this.logTools) {
      this.logTools = el('div', { class: 'event-tools' }, el('label', { class: 'inline' }, 'Name', filter));
    }
    this.body.replaceChildren(...(this.logTools ? [this.logTools] : []), table);
    const shown = answer.truncated ? `newest ${rows.length}` : `${rows.length} event${rows.length === 1 ? '' : 's'}`;
    return `${span} · ${shown}${fixed ? ` named ${fixed}` : ''} in ${db}`;
  }

  async loadNumbers() {
    const wanted = this.w.series ?? [];
    const series = await resolveSeries(wanted, this.ctx);
    const now = Date.now() / 1000;
    const lookback = parseDuration(this.w.lookback) || 3600;
    const values = await Promise.all(series.map(async (s) => {
      const db = seriesDb(s, this.ctx);
      const metric = seriesMetric(s);
      try {
        if (s.aggregate) {
          const r = await queryRange(db, metric, { start: now - lookback, end: now,
            aggregate: s.aggregate, window: parseDuration(s.window) || 60 });
          const col = r[s.aggregate];
          if (!col || !col.t.length) return { missing: true };
          return { ts: col.t[col.t.length - 1], value: col.v[col.v.length - 1] };
        }
        const last = await queryLast(db, metric);
        return last ? last : { missing: true };
      } catch (e) {
        return { error: e.message };
      }
    }));
    const missing = values.filter((v) => v.missing);
    const none = !series.length || missing.length === values.length;
    this.element.classList.toggle('nodata', none);
    if (none) {
      // Nothing to show yet (host probes off, or no writer): one line instead of empty tiles.
      const names = [...new Set(wanted.map((s) => `${seriesMetric(s)} in ${seriesDb(s, this.ctx)}`))];
      this.body.replaceChildren(el('p', { class: 'nodata-note' },
          `No data yet for ${names.join(', ')}. Enable the drip-sources plugin or send these ` +
          'metrics to /api/v1/import.'));
      return '';
    }
    // A metric this host does not have (no temperature sensor, a probe that is off) gets no
    // tile: the footer names it instead.
    const shown = series.map((s, i) => ({ s, i, r: values[i] })).filter(({ r }) => !r.missing);
    this.body.replaceChildren(el('div', { class: `tiles tiles-${shown.length}` },
        ...shown.map(({ s, i, r }) => {
          const label = seriesLabel(s, i);
          if (r.error) {
            return el('div', { class: 'tile tile-empty', title: r.error },
                el('div', { class: 'tile-label' }, label),
                el('div', { class: 'tile-value' }, '—'),
                el('div', { class: 'tile-note' }, r.error));
          }
          const v = applyTransform(r.value, s.transform);
          const sev = severity(v, s.thresholds);
          return el('div', { class: `tile sev-${sev}`, 'data-severity': sev,
            title: `${seriesDb(s, this.ctx)}/${seriesMetric(s)} at ${new Date(r.ts * 1000).toLocaleString()}` },
              el('div', { class: 'tile-label' }, label),
              el('div', { class: 'tile-value' }, formatSeriesValue(r.value, s.transform)),
              el('div', { class: 'tile-note' }, clockTime(r.ts)));
        })));
    const errors = values.filter((v) => v.error);
    if (errors.length === shown.length && errors.length) throw new Error(errors[0].error);
    const absent = series.map((s, i) => (values[i].missing ? seriesLabel(s, i) : null)).filter(Boolean);
    return absent.length ? `not collected here: ${absent.join(', ')}` : '';
  }

  async chartSeries() {
    const band = this.w.type === 'aggregate_band';
    const resolved = await resolveSeries(this.w.series ?? [], this.ctx);
    // A band is one metric: a pattern draws the band of its first match.
    const list = band ? bandSeries({ series: resolved.slice(0, resolved[0]?.role ? 3 : 1) }) : resolved;
    return list.map((s, i) => ({ ...s, label: seriesLabel(s, i) }));
  }

  ensureChart(series) {
    const key = JSON.stringify(series.map((s) => [s.label, seriesDb(s, this.ctx), seriesMetric(s)]));
    if (this.chart && this.chartKey === key) return;
    if (this.chart) this.chart.destroy();
    this.chart = null;
    this.chartKey = key;
    this.body.replaceChildren();
    const holder = el('div', { class: 'chart-holder' });
    this.body.append(holder);
    const first = series[0] ?? {};
    this.chart = createChart(holder, {
      series: series.map((s) => ({ label: s.label, color: s.color, role: s.role,
        unit: s.transform?.unit ?? '', decimals: s.transform?.decimals })),
      band: this.w.type === 'aggregate_band',
      unit: first.transform?.unit ?? '',
      decimals: first.transform?.decimals ?? 2,
      height: this.ctx.chartHeight ?? 220,
      onZoom: (from, to) => this.zoom(from, to),
      sync: this.ctx.syncKey,
    });
  }

  async loadChart() {
    const series = await this.chartSeries();
    if (!series.length) {
      if (this.chart) this.chart.destroy();
      this.chart = null;
      const names = [...new Set((this.w.series ?? []).map((s) => `${seriesMetric(s)} in ${seriesDb(s, this.ctx)}`))];
      this.body.replaceChildren(el('p', { class: 'nodata-note' }, `No metric matches ${names.join(', ')} yet.`));
      return '';
    }
    this.ensureChart(series);
    if (!this.chart) throw new Error('chart library did not load');
    const now = Date.now() / 1000;
    const asked = this.askedRange();
    const range = resolveRange(asked, now, this.w.lookback || '1h');
    const interval = parseDuration(this.w.interval) || 60;
    const step = Math.max(interval, niceStep(range.end - range.start, 720, 1));
    // The events of the range, beside the samples; a failed events read leaves the chart drawn
    // and says why in the footer.
    const marks = this.marking
      ? queryEvents(this.eventsDb(), { start: range.start, end: range.end, newest: true,
        name: this.w.events.name, limit: this.w.events.limit || EVENT_LIMITS.chart })
          .catch((e) => ({ error: e.status === 404 ? null : e.message, events: [] }))
      : null;
    let columns;
    let answers;
    if (this.w.type === 'aggregate_band') {
      const s0 = series[0];
      const r = await queryRange(seriesDb(s0, this.ctx), seriesMetric(s0),
          { start: range.start, end: range.end, aggregate: 'min,avg,max', window: step });
      columns = series.map((s) => r[s.role] ?? { t: [], v: [] });
      answers = [r];
    } else {
      answers = await Promise.all(series.map(async (s) => {
        const opts = { start: range.start, end: range.end };
        if (s.aggregate) Object.assign(opts, { aggregate: s.aggregate, window: step });
        else opts.step = step;
        return queryRange(seriesDb(s, this.ctx), seriesMetric(s), opts);
      }));
      columns = answers.map((r) => Object.values(r)[0] ?? { t: [], v: [] });
    }
    // The range changed while this ran: draw nothing stale, the next refresh draws the new one.
    if (this.again) return '';
    const transformed = columns.map((c, i) => ({ t: c.t,
      v: c.v.map((x) => applyTransform(x, series[i].transform)) }));
    const points = this.chart.setData(transformed, range);
    let markNote = '';
    if (marks) {
      const m = await marks;
      if (this.again) return '';
      this.chart.setEvents(m.events);
      this.chart.showEvents(this.markersShown);
      markNote = m.error ? ` · events: ${m.error}`
        : ` · ${m.truncated ? `newest ${m.events.length}` : m.events.length} event${m.events.length === 1 ? '' : 's'}`;
    }
    const span = asked ? (range.live ? asked.last : 'zoomed') : (this.w.lookback || '1h');
    if (!points) {
      const names = [...new Set(series.map((s) => `${seriesDb(s, this.ctx)}/${seriesMetric(s)}`))];
      return `${span} · no data in this range for ${names.join(', ')}${markNote}`;
    }
    // Long ranges are answered from rollups where they give the same points (docs/rollups.md).
    const rollups = rollupIntervals(answers);
    return `${span} · step ${step}s${rollups ? ` · rollups ${rollups}` : ''}${markNote}`;
  }
}

// ctx: {defaultDb, refreshSeconds, getRange() → range|null, onZoom(from, to), isPaused(),
//       isVisible(widget), chartHeight, refreshChoice() → seconds | 0 (off) | null (widget's),
//       syncKey: charts with the same key share their crosshair}
export function createWidget(id, widget, ctx) {
  return new Widget(id, widget, ctx);
}
