// Events in the dashboard (docs/events.md): how an event's value, payload and time read in the
// event log widget and in a chart's marker tooltip, and which markers are near the cursor.
// Pure functions, tested with node.

// An event's time in Unix seconds. `ts` (nanoseconds) loses its last digits as a JS number;
// the RFC 3339 `time` keeps them to the millisecond, which is all a page shows.
export function eventSeconds(e) {
  const ms = Date.parse(e.time ?? '');
  if (Number.isFinite(ms)) return ms / 1000;
  return Number(e.ts) / 1e9;
}

// The value column: a number as JSON wrote it ("3", "21.5"; a float64 3.0 reads as 3), the
// strings NaN and ±Inf as they come, '—' for none.
export function eventValueText(v) {
  if (v === null || v === undefined) return '—';
  return String(v);
}

// The payload as one line of compact JSON ('' for none), and indented for a closer look.
export function payloadText(p) {
  if (p === null || p === undefined) return '';
  return JSON.stringify(p);
}
export function payloadPretty(p) {
  if (p === null || p === undefined) return '';
  return JSON.stringify(p, null, 2);
}

// One line for a tooltip: `deploy = 3 · {"version":"1.4.2"}` cut to `max` characters.
export function eventSummary(e, max = 80) {
  let text = e.name;
  if (e.value !== null && e.value !== undefined) text += ` = ${eventValueText(e.value)}`;
  const p = payloadText(e.payload);
  if (p) text += ` · ${p}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// The events (with their pixel x from `toPos(seconds)`) within `px` pixels of `x`, nearest
// first; for the tooltip of a chart's markers.
export function eventsNear(list, x, toPos, px = 6) {
  const out = [];
  for (const e of list) {
    const d = Math.abs(toPos(eventSeconds(e)) - x);
    if (d <= px) out.push({ e, d });
  }
  out.sort((a, b) => a.d - b.d);
  return out.map((o) => o.e);
}

// The names of a count answer ({counts: [{name, buckets: [[t, n]]}]}) with their totals,
// most frequent first, then by name: the choices of the log's name filter.
export function nameCounts(data) {
  const out = (data?.counts ?? []).map((c) => ({ name: c.name,
    count: c.buckets.reduce((s, b) => s + Number(b[1]), 0) }));
  out.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
