// Time-series charts on uPlot (loaded by the page as the global `uPlot`): lines, a min–max band
// with an average line, unit-scaled axes and legend, drag-to-zoom (mouse), tap/drag to read
// values (touch), double-click back to live, resizing with the container.
import { dateTime, scaleValue } from './format.js';

export const PALETTE = ['#14b8a6', '#3b82f6', '#f59e0b', '#ef4444', '#a855f7', '#22c55e',
  '#ec4899', '#64748b'];

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

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function fmt(v, unit, decimals) {
  if (v === null || v === undefined) return '—';
  const s = scaleValue(v, unit, decimals);
  return s.text + s.unit;
}

// options: {series: [{label, color, unit, decimals}], band: bool (series are min, avg, max),
//           unit, decimals, height, onZoom(from, to) (null, null = back to live)}
export function createChart(container, options) {
  if (typeof window.uPlot !== 'function') {
    container.textContent = 'chart library did not load';
    return null;
  }
  const unit = options.unit ?? options.series[0]?.unit ?? '';
  const decimals = options.decimals ?? 2;
  const axisColor = cssVar('--muted', '#8aa');
  const gridColor = cssVar('--grid', 'rgba(128,128,128,0.15)');
  const series = [{ value: (u, v) => (v == null ? '—' : dateTime(v)) }];
  options.series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const band = options.band && s.role !== 'avg';
    series.push({
      label: s.label,
      stroke: band ? color + '88' : color,
      width: band ? 1 : 2,
      spanGaps: true,
      points: { size: 5 },
      value: (u, v) => fmt(v, s.unit ?? unit, s.decimals ?? decimals),
    });
  });
  const height = options.height ?? 220;
  let dragging = false;
  const opts = {
    width: Math.max(200, container.clientWidth || 300),
    height,
    series,
    scales: { x: { time: true } },
    axes: [
      { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor } },
      { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor }, size: 64,
        values: (u, vals) => vals.map((v) => fmt(v, unit, decimals)) },
    ],
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 7 } },
    legend: { live: true },
    hooks: {
      setCursor: [(u) => showTip(u)],
      setSelect: [(u) => {
        if (u.select.width < 4) return;
        const from = u.posToVal(u.select.left, 'x');
        const to = u.posToVal(u.select.left + u.select.width, 'x');
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
        if (options.onZoom) options.onZoom(from, to);
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
  function showTip(u) {
    const idx = u.cursor.idx;
    if (idx === null || idx === undefined || u.cursor.left < 0) {
      tip.hidden = true;
      return;
    }
    const rows = [];
    for (let i = 1; i < u.series.length; i++) {
      const v = u.data[i][idx];
      if (v === null || v === undefined || !u.series[i].show) continue;
      const s = options.series[i - 1];
      rows.push({ v, label: s.label, color: s.color || PALETTE[(i - 1) % PALETTE.length],
        text: fmt(v, s.unit ?? unit, s.decimals ?? decimals) });
    }
    if (!rows.length) {
      tip.hidden = true;
      return;
    }
    rows.sort((a, b) => b.v - a.v);
    const head = document.createElement('div');
    head.className = 'chart-tip-time';
    head.textContent = dateTime(u.data[0][idx]);
    tip.replaceChildren(head, ...rows.map((r) => {
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

  const empty = [[], ...options.series.map(() => [])];
  const u = new window.uPlot(opts, empty, container);
  container.classList.add('chart');
  u.over.append(tip);
  const hideTip = () => { tip.hidden = true; };
  window.addEventListener('scroll', hideTip, { passive: true });

  // Touch: move the cursor where the finger is so the legend shows values; vertical swipes
  // still scroll the page (no preventDefault).
  const over = u.over;
  const touch = (e) => {
    const t = e.touches[0];
    if (!t) return;
    const rect = over.getBoundingClientRect();
    dragging = true;
    u.setCursor({ left: t.clientX - rect.left, top: t.clientY - rect.top });
  };
  over.addEventListener('touchstart', touch, { passive: true });
  over.addEventListener('touchmove', touch, { passive: true });
  over.addEventListener('touchend', () => { dragging = false; }, { passive: true });
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
      let points = 0;
      for (let c = 1; c < data.length; c++) for (const v of data[c]) if (v !== null) points++;
      container.dataset.points = String(points);
      return points;
    },
    destroy() {
      window.removeEventListener('scroll', hideTip);
      resize.disconnect();
      u.destroy();
    },
    get touching() { return dragging; },
    uplot: u,
  };
}
