// Time-series charts on uPlot (loaded by the page as the global `uPlot`): lines, a min–max band
// with an average line, one value axis per unit (left, then right) with round ticks in the unit
// they are read in, a tooltip and a legend table (last, min, max and average of the range drawn;
// a click hides or shows a series) in the same units as the axes, a crosshair shared by the
// charts of a page, drag-to-zoom (mouse), pinch to zoom and two-finger drag to pan (touch),
// tap/drag to read values (touch), double-click back
// to live, resizing with the container, axis colours that follow the page theme, and event
// markers (a vertical line per event in the range; the tooltip names the events near the cursor).
import { eventSeconds, eventSummary, eventsNear } from './events.js';
import { axisScale, dateTime, scaleValue, unitKey } from './format.js';

export const PALETTE = ['#14b8a6', '#3b82f6', '#f59e0b', '#ef4444', '#a855f7', '#22c55e',
  '#ec4899', '#64748b'];

// The font axes are drawn in, and measured in to size them.
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

// Joins series sampled at different times onto one sorted time axis (uPlot's data layout);
// a series without a sample at a time gets null there.
export function alignSeries(list) {
  const times = new Set();
  for (const s of list) for (const t of s.t) times.add(t);
  const axis = [...times].sort((a, b) => a - b);
  const index = new Map(axis.map((t, i) => [t, i]));
  const columns = list.map((s) => {
    const col = new Array(axis.length).fill(null);
    s.t.forEach((t, i) => { col[index.get(t)] = s.v[i]; });
    return col;
  });
  return [axis, ...columns];
}

// One value scale per distinct unit, in the order the series first use them: the first is
// "y" (left axis), the others "y2", "y3"… (right). {keys: scale key per series, units: [{key,
// unit}]}.
export function unitScales(units) {
  const seen = [];
  const keys = units.map((u) => {
    const k = unitKey(u ?? '');
    let i = seen.findIndex((s) => s.unit === k);
    if (i < 0) {
      seen.push({ key: seen.length ? `y${seen.length + 1}` : 'y', unit: k });
      i = seen.length - 1;
    }
    return seen[i].key;
  });
  return { keys, units: seen };
}

// {last, min, max, avg} of the non-null values of `col` whose time (`xs`) is within [from, to];
// nulls when there is none.
export function seriesStats(xs, col, from = -Infinity, to = Infinity) {
  let n = 0;
  let sum = 0;
  let min = null;
  let max = null;
  let last = null;
  for (let i = 0; i < xs.length; i++) {
    const v = col[i];
    if (v === null || v === undefined || !Number.isFinite(v) || xs[i] < from || xs[i] > to) continue;
    n++;
    sum += v;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
    last = v;
  }
  return { last, min, max, avg: n ? sum / n : null };
}

// The time span after a two-finger gesture on a chart `width` px wide that showed [min, max]:
// the fingers at x positions `from` ([a, b], px from the plot's left) moved to `to`. The span
// scales by how much the fingers spread (pinch out zooms in) and the time under their midpoint
// stays under it (a two-finger drag pans); never shorter than `minSpan` seconds.
export function pinchRange({ min, max }, width, from, to, minSpan = 10) {
  const spread0 = Math.max(1, Math.abs(from[1] - from[0]));
  const spread1 = Math.max(1, Math.abs(to[1] - to[0]));
  const span0 = max - min;
  const span1 = Math.max(minSpan, span0 * spread0 / spread1);
  const mid0 = (from[0] + from[1]) / 2;
  const mid1 = (to[0] + to[1]) / 2;
  const anchor = min + (mid0 / width) * span0;
  const start = anchor - (mid1 / width) * span1;
  return { min: start, max: start + span1 };
}

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

let measurer = null;
function textWidth(text) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = AXIS_FONT;
  return measurer.measureText(text).width;
}

// options: {series: [{label, color, unit, decimals, role}], band: bool (series are min, avg,
//           max), unit, decimals, height, onZoom(from, to) (null, null = back to live),
//           sync: a key shared by the charts whose crosshairs move together}
export function createChart(container, options) {
  if (typeof window.uPlot !== 'function') {
    container.textContent = 'chart library did not load';
    return null;
  }
  const fallbackUnit = options.unit ?? options.series[0]?.unit ?? '';
  const decimals = options.decimals ?? 2;
  const height = options.height ?? 220;
  // Room for about one label per 50 px of plot height (the x axis takes about 50 px).
  const tickCount = Math.max(2, Math.round((height - 50) / 50));
  const { keys, units } = unitScales(options.series.map((s) => s.unit ?? fallbackUnit));
  const axes = {};  // scale key → the last axisScale() of that scale
  const muted = () => cssVar('--muted', '#8aa');
  const grid = () => cssVar('--grid', 'rgba(128,128,128,0.15)');
  const seriesDecimals = (i) => options.series[i].decimals ?? decimals;
  // A value as the axis of its series reads it (same prefix), so tooltip and axis agree.
  const onAxis = (i, v) => {
    if (v === null || v === undefined) return '—';
    const a = axes[keys[i]];
    if (a) return a.format(v, seriesDecimals(i));
    const s = scaleValue(v, units.find((x) => x.key === keys[i]).unit, seriesDecimals(i));
    return s.text + s.unit;
  };

  const series = [{ value: (u, v) => (v == null ? '—' : dateTime(v)) }];
  options.series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const band = options.band && s.role !== 'avg';
    series.push({
      label: s.label,
      scale: keys[i],
      stroke: band ? color + '88' : color,
      width: band ? 1 : 2,
      spanGaps: true,
      points: { size: 5 },
      value: (u, v) => onAxis(i, v),
    });
  });
  const scales = { x: { time: true } };
  const valueAxes = units.map(({ key, unit }, n) => {
    scales[key] = {
      range: (u, min, max) => {
        axes[key] = axisScale(min, max, unit, tickCount);
        return [axes[key].min, axes[key].max];
      },
    };
    return {
      scale: key,
      side: n === 0 ? 3 : 1,
      font: AXIS_FONT,
      stroke: muted,
      grid: { show: n === 0, stroke: grid },
      ticks: { stroke: grid },
      splits: (u, ai, min, max) => {
        const a = axes[key];
        return a && a.min === min && a.max === max ? a.ticks : axisScale(min, max, unit, tickCount).ticks;
      },
      values: (u, splits) => splits.map((v) => (axes[key] ?? axisScale(v, v, unit)).label(v)),
      // Wide enough for the widest label (ticks 10 px, gap 5 px, 4 px to spare).
      size: (u, values) => (values?.length ? Math.ceil(Math.max(...values.map((t) => textWidth(t ?? '')))) + 19 : 50),
    };
  });
  let dragging = false;
  const opts = {
    width: Math.max(200, container.clientWidth || 300),
    height,
    series,
    scales,
    axes: [
      // Time labels like "11:45am" need about 80 px each.
      { font: AXIS_FONT, stroke: muted, space: 80, grid: { stroke: grid }, ticks: { stroke: grid } },
      ...valueAxes,
    ],
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 7 },
      ...(options.sync ? { sync: { key: options.sync, scales: ['x', null], setSeries: false } } : {}) },
    legend: { show: false },
    hooks: {
      setCursor: [(u) => {
        // The time under the crosshair (also when another chart of the page moves it).
        if (u.cursor.left >= 0 && u.data[0].length) {
          container.dataset.cursor = String(Math.round(u.posToVal(u.cursor.left, 'x')));
        } else delete container.dataset.cursor;
        showTip(u);
      }],
      setSelect: [(u) => {
        if (u.select.width < 4) return;
        // The crosshair sync repeats a drag on every chart of the page: only the chart dragged
        // on zooms (a chart with its own range zooms alone).
        if (!pointing) {
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          return;
        }
        const from = u.posToVal(u.select.left, 'x');
        const to = u.posToVal(u.select.left + u.select.width, 'x');
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
        if (options.onZoom) options.onZoom(from, to);
      }],
      // The time span drawn, for tests and for reading the chart without the canvas.
      setScale: [(u, key) => {
        if (key !== 'x') return;
        container.dataset.from = String(Math.round(u.scales.x.min ?? 0));
        container.dataset.to = String(Math.round(u.scales.x.max ?? 0));
      }],
      // What each value axis shows, for tests and for reading the chart without the canvas;
      // the legend is written in the units the axes have just been drawn in.
      draw: [(u) => {
        fillLegend(legendRange);
        placeMarkers(u);
        container.dataset.axes = JSON.stringify(units.map(({ key, unit }, n) => ({
          unit, side: n === 0 ? 'left' : 'right',
          labels: (u.axes[n + 1]._values ?? []).filter((t) => t !== null),
          width: Math.round(u.axes[n + 1]._size ?? 0) })));
      }],
    },
  };
  if (options.band) {
    const i = (role) => options.series.findIndex((s) => s.role === role) + 1;
    const color = options.series[0]?.color || PALETTE[0];
    opts.bands = [{ series: [i('max'), i('min')], fill: color + '33' }];
  }
  // Tooltip beside the cursor: time with seconds, then the series sorted by value (highest
  // first), kept inside the plot so it is never clipped at the screen edge.
  const tip = document.createElement('div');
  tip.className = 'chart-tip';
  tip.hidden = true;
  let pointing = false;  // the mouse or a finger is on this chart (not only a synced crosshair)
  function showTip(u) {
    const idx = u.cursor.idx;
    const near = pointing && eventsShown && u.cursor.left >= 0
      ? eventsNear(markedEvents, u.cursor.left, (t) => u.valToPos(t, 'x')) : [];
    if (!pointing || u.cursor.left < 0 || ((idx === null || idx === undefined) && !near.length)) {
      tip.hidden = true;
      return;
    }
    const rows = [];
    for (let i = 1; idx !== null && idx !== undefined && i < u.series.length; i++) {
      const v = u.data[i][idx];
      if (v === null || v === undefined || !u.series[i].show) continue;
      const s = options.series[i - 1];
      rows.push({ v, label: s.label, color: s.color || PALETTE[(i - 1) % PALETTE.length],
        text: onAxis(i - 1, v) });
    }
    if (!rows.length && !near.length) {
      tip.hidden = true;
      return;
    }
    rows.sort((a, b) => b.v - a.v);
    const head = document.createElement('div');
    head.className = 'chart-tip-time';
    head.textContent = rows.length ? dateTime(u.data[0][idx]) : '';
    const marks = near.slice(0, 5).map((e) => {
      const row = document.createElement('div');
      row.className = 'chart-tip-event';
      const when = document.createElement('span');
      when.className = 'chart-tip-when';
      when.textContent = dateTime(eventSeconds(e));
      row.append('⚑ ', when, ' ', eventSummary(e));
      return row;
    });
    if (near.length > 5) {
      const more = document.createElement('div');
      more.className = 'chart-tip-event';
      more.textContent = `and ${near.length - 5} more events here`;
      marks.push(more);
    }
    tip.replaceChildren(...(rows.length ? [head] : []), ...marks, ...rows.map((r) => {
      const row = document.createElement('div');
      const dot = document.createElement('span');
      dot.className = 'chart-tip-dot';
      dot.style.background = r.color;
      row.append(dot, `${r.label}: `);
      const b = document.createElement('b');
      b.textContent = r.text;
      row.append(b);
      return row;
    }));
    tip.hidden = false;
    const w = u.over.clientWidth;
    const h = u.over.clientHeight;
    let x = u.cursor.left + 12;
    if (x + tip.offsetWidth > w) x = Math.max(0, u.cursor.left - tip.offsetWidth - 12);
    const y = Math.max(0, Math.min(h - tip.offsetHeight, u.cursor.top - tip.offsetHeight / 2));
    tip.style.transform = `translate(${x}px, ${y}px)`;
  }

  // Event markers: the events of the range drawn (setEvents), a line each; the ⚑ button of the
  // card shows or hides them (showEvents).
  let markedEvents = [];
  let eventsShown = true;
  const markerLayer = document.createElement('div');
  markerLayer.className = 'event-markers';
  function placeMarkers(u) {
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    const shown = eventsShown && min !== undefined && max !== undefined
      ? markedEvents.filter((e) => { const t = eventSeconds(e); return t >= min && t <= max; }) : [];
    markerLayer.replaceChildren(...shown.map((e) => {
      const m = document.createElement('div');
      m.className = 'event-marker';
      m.dataset.name = e.name;
      m.style.left = `${Math.round(u.valToPos(eventSeconds(e), 'x'))}px`;
      return m;
    }));
    container.dataset.markers = String(shown.length);
  }

  const empty = [[], ...options.series.map(() => [])];
  const u = new window.uPlot(opts, empty, container);
  container.classList.add('chart');
  u.over.append(markerLayer, tip);
  // A chart drawn (or redrawn by a refresh) under a resting mouse gets no mouseenter: the first
  // move over it counts too. Capture runs before uPlot's own listener, so that move's tooltip
  // already shows.
  u.over.addEventListener('mouseenter', () => { pointing = true; });
  u.over.addEventListener('mousemove', () => { pointing = true; }, { capture: true });
  u.over.addEventListener('mouseleave', () => { pointing = false; tip.hidden = true; });
  // A mouse (not a finger) is over the plot: a page scroll keeps its tooltip, the next move
  // places it (Chromium delivers the scroll event a frame late, after a move that came later).
  let mouseInside = false;
  u.over.addEventListener('pointerenter', (e) => { if (e.pointerType === 'mouse') mouseInside = true; });
  u.over.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') mouseInside = false; });

  // The legend: one row per series with its last, min, max and average over the range drawn.
  const legendRows = options.series.map((s, i) => {
    const key = document.createElement('button');
    key.type = 'button';
    key.className = 'legend-key';
    key.setAttribute('aria-pressed', 'true');
    key.title = 'Hide or show this series';
    const dot = document.createElement('span');
    dot.className = 'chart-tip-dot';
    dot.style.background = s.color || PALETTE[i % PALETTE.length];
    key.append(dot, s.label);
    key.addEventListener('click', () => {
      const show = !u.series[i + 1].show;
      u.setSeries(i + 1, { show });
      key.setAttribute('aria-pressed', String(show));
      row.classList.toggle('off', !show);
    });
    const row = document.createElement('tr');
    const th = document.createElement('th');
    th.append(key);
    row.append(th);
    const cells = ['last', 'min', 'max', 'avg'].map((k) => {
      const td = document.createElement('td');
      td.className = 'num';
      td.dataset.stat = k;
      row.append(td);
      return td;
    });
    return { row, cells };
  });
  const legend = document.createElement('div');
  legend.className = 'legend-wrap';
  const table = document.createElement('table');
  table.className = 'chart-legend';
  const head = document.createElement('tr');
  for (const [text, cls] of [['Series', ''], ['Last', 'num'], ['Min', 'num'], ['Max', 'num'], ['Avg', 'num']]) {
    const th = document.createElement('th');
    th.textContent = text;
    if (cls) th.className = cls;
    head.append(th);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  tbody.append(...legendRows.map((r) => r.row));
  table.append(thead, tbody);
  legend.append(table);
  container.append(legend);
  let legendRange = [-Infinity, Infinity];
  function fillLegend([from, to]) {
    legendRows.forEach((r, i) => {
      const st = seriesStats(u.data[0], u.data[i + 1] ?? [], from, to);
      r.cells.forEach((td) => { td.textContent = onAxis(i, st[td.dataset.stat]); });
    });
  }
  // A scroll moves the chart away from a finger's tooltip: hide it (a mouse's stays, see above).
  const hideTip = () => { if (!mouseInside) tip.hidden = true; };
  window.addEventListener('scroll', hideTip, { passive: true });
  // Axis and grid colours are read from the theme at each draw: redraw when it changes.
  const recolour = () => u.redraw(false, false);
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  window.addEventListener('themechange', recolour);
  scheme.addEventListener('change', recolour);

  // Touch: one finger moves the cursor where it is so the tooltip shows values (vertical swipes
  // still scroll the page); two fingers pinch to zoom and drag to pan the time axis, drawn as
  // they move and asked for (onZoom) when they lift.
  const over = u.over;
  let pinch = null;  // {scale: {min, max}, from: [a, b], range}
  const fingers = (e, rect) => [e.touches[0].clientX - rect.left, e.touches[1].clientX - rect.left];
  const touch = (e) => {
    const rect = over.getBoundingClientRect();
    if (e.touches.length >= 2) {
      e.preventDefault();
      pointing = false;
      tip.hidden = true;
      const at = fingers(e, rect);
      if (!pinch) {
        pinch = { scale: { min: u.scales.x.min, max: u.scales.x.max }, from: at, range: null };
        return;
      }
      pinch.range = pinchRange(pinch.scale, rect.width, pinch.from, at);
      u.setScale('x', pinch.range);
      container.dataset.pinch = `${Math.round(pinch.range.min)}-${Math.round(pinch.range.max)}`;
      return;
    }
    const t = e.touches[0];
    if (!t || pinch) return;
    dragging = true;
    pointing = true;
    u.setCursor({ left: t.clientX - rect.left, top: t.clientY - rect.top });
  };
  const lift = (e) => {
    if (pinch && e.touches.length < 2) {
      const { range } = pinch;
      pinch = null;
      if (range && options.onZoom) options.onZoom(range.min, range.max);
    }
    if (!e.touches.length) {
      dragging = false;
      pointing = false;
    }
  };
  // Not passive: a two-finger move is the chart's, not the page's zoom.
  over.addEventListener('touchstart', touch, { passive: false });
  over.addEventListener('touchmove', touch, { passive: false });
  over.addEventListener('touchend', lift, { passive: true });
  over.addEventListener('touchcancel', lift, { passive: true });
  over.addEventListener('dblclick', () => options.onZoom && options.onZoom(null, null));

  const resize = new ResizeObserver(() => {
    const w = Math.max(200, container.clientWidth);
    if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height });
  });
  resize.observe(container);

  return {
    // list: [{t: [...], v: [...]}] in the order of options.series; range: {start, end}.
    setData(list, range) {
      const data = alignSeries(list);
      u.setData(data, false);
      const xs = data[0];
      const min = range ? range.start : xs[0];
      const max = range ? range.end : xs[xs.length - 1];
      if (min !== undefined && max !== undefined && max > min) u.setScale('x', { min, max });
      legendRange = [min ?? -Infinity, max ?? Infinity];
      let points = 0;
      for (let c = 1; c < data.length; c++) for (const v of data[c]) if (v !== null) points++;
      container.dataset.points = String(points);
      return points;
    },
    // list: events as GET /api/v1/events answers them ({name, ts, time, value, payload}).
    setEvents(list) {
      markedEvents = list ?? [];
      container.dataset.eventReads = String(Number(container.dataset.eventReads ?? 0) + 1);
      placeMarkers(u);
    },
    showEvents(show) {
      eventsShown = show;
      placeMarkers(u);
      showTip(u);
    },
    destroy() {
      window.removeEventListener('scroll', hideTip);
      window.removeEventListener('themechange', recolour);
      scheme.removeEventListener('change', recolour);
      resize.disconnect();
      u.destroy();
    },
    get touching() { return dragging; },
    uplot: u,
  };
}
